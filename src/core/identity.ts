// Who is calling: principals, credential lookup (root keys, IAM keys, STS sessions) and account mapping.
import { inPartition, partitionOf } from "./arn.js";
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

export const DEFAULT_ACCOUNT = "000000000000";

export function rootPrincipal(accountId: string, accessKeyId?: string): Principal {
  return { type: "Root", accountId, arn: `arn:aws:iam::${accountId}:root`, principalId: accountId, accessKeyId };
}

/**
 * The principal as a request in `region` names it: credentials keep "aws" ARNs, and a caller in another partition
 * (cn-north-1, us-gov-west-1, …) is arn:aws-cn:… / arn:aws-us-gov:… there, as GetCallerIdentity reports it.
 */
export function principalIn(p: Principal, region: string): Principal {
  const partition = partitionOf(region);
  if (partition === "aws") return p;
  return { ...p, arn: inPartition(p.arn, partition), session: p.session && { ...p.session, issuerArn: inPartition(p.session.issuerArn, partition) } };
}

/** The account a key belongs to when no source knows it: a 12-digit key is its own account. */
export function accountForUnknownKey(accessKeyId: string | undefined): string {
  return accessKeyId && /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT;
}

export interface RootCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

const TWELVE_DIGITS = /^\d{12}$/;

/**
 * The one place access keys are resolved, for every caller that checks one (the gateway's SigV4, S3's SigV2 and
 * POST policies, function URLs, STS's GetAccessKeyInfo): the configured root keys first, then the sources the
 * registry declares (IAM access keys, STS sessions).
 */
export class CredentialResolver {
  constructor(
    private readonly store: Store,
    readonly roots: RootCredential[],
    private readonly sources: CredentialSource[],
  ) {}

  /** The key's credentials, if the root keys (unless `roots` is false) or a source know it. */
  find(accessKeyId: string, roots = true): CredentialRecord | undefined {
    if (roots) {
      for (const r of this.roots) {
        if (r.accessKeyId === accessKeyId) {
          const account = accountForUnknownKey(accessKeyId);
          return { accessKeyId, secretAccessKey: r.secretAccessKey, principal: rootPrincipal(account, accessKeyId) };
        }
      }
    }
    for (const source of this.sources) {
      const found = source(accessKeyId, this.store);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * For checking a signature: a key no source knows is refused, except a 12-digit one: it is the root key of
   * that account with the default root secret (the first configured root's, "test" out of the box). Tests get a
   * fresh account per test by picking a random 12-digit key id, and that must keep working when signatures count.
   */
  forSignature(accessKeyId: string): CredentialRecord | undefined {
    const found = this.find(accessKeyId);
    if (found || !TWELVE_DIGITS.test(accessKeyId)) return found;
    return { accessKeyId, secretAccessKey: this.roots[0]?.secretAccessKey ?? "test", principal: rootPrincipal(accessKeyId, accessKeyId) };
  }

  /** Whether the credential is a root key: a configured one, or a 12-digit account's. */
  isRoot(cred: CredentialRecord): boolean {
    return cred.principal.type === "Root" && (TWELVE_DIGITS.test(cred.accessKeyId) || this.roots.some((r) => r.accessKeyId === cred.accessKeyId));
  }
}
