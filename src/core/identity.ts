// Who is calling: principals, credential lookup (root keys, IAM keys, STS sessions) and account mapping.
import type { Store } from "./store/types.js";

export interface Principal {
  type: "Root" | "IAMUser" | "AssumedRole" | "FederatedUser" | "Unknown";
  accountId: string;
  arn: string;
  /** Root: the account id; IAM user: its AIDA… id; assumed role: `<AROA… role id>:<session name>`. */
  principalId: string;
  accessKeyId?: string;
  userName?: string;
  /** For temporary credentials: what CloudTrail reports as sessionContext. */
  session?: {
    issuerType: "Role" | "IAMUser" | "Root";
    issuerArn: string;
    issuerPrincipalId: string;
    issuerUserName?: string;
    creationDate: string;
    mfaAuthenticated: boolean;
  };
}

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials must be presented with this token. */
  sessionToken?: string;
  /** Epoch ms after which temporary credentials are refused (ExpiredToken). */
  expiration?: number;
  status?: "Active" | "Inactive";
  principal: Principal;
  /** Records that the key signed a request (IAM's access-key last used); cheap, throttled by the source. */
  markUsed?(service: string, region: string, now: number): void;
}

/** A place credentials come from; returns undefined when it does not know the key. */
export type CredentialSource = (accessKeyId: string, store: Store) => CredentialRecord | undefined;

const sources: CredentialSource[] = [];

export function registerCredentialSource(source: CredentialSource): void {
  if (!sources.includes(source)) sources.push(source);
}

export const DEFAULT_ACCOUNT = "000000000000";

export function rootPrincipal(accountId: string, accessKeyId?: string): Principal {
  return { type: "Root", accountId, arn: `arn:aws:iam::${accountId}:root`, principalId: accountId, accessKeyId };
}

/** The account a key belongs to when no source knows it: a 12-digit key is its own account. */
export function accountForUnknownKey(accessKeyId: string | undefined): string {
  return accessKeyId && /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT;
}

export interface RootCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Finds the credentials for an access key id: the configured root keys first, then the sources
 * services registered (IAM access keys, STS sessions).
 */
export function findCredentials(accessKeyId: string, store: Store, roots: RootCredential[]): CredentialRecord | undefined {
  for (const r of roots) {
    if (r.accessKeyId === accessKeyId) {
      const account = accountForUnknownKey(accessKeyId);
      return { accessKeyId, secretAccessKey: r.secretAccessKey, principal: rootPrincipal(account, accessKeyId) };
    }
  }
  for (const source of sources) {
    const found = source(accessKeyId, store);
    if (found) return found;
  }
  return undefined;
}
