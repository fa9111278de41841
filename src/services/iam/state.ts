// IAM's records and tables (per account, names case-insensitive as in IAM), plus the global access-key index.
import { defineState, global, perAccount, STORE, type StateDef, type StateHolder, type TablesOf } from "../../core/state.js";
import type { Store } from "../../core/store/types.js";
import type { HandlerContext } from "../../core/context.js";
import type { Tag } from "./api.generated.js";
import { globalArn } from "../../core/arn.js";

export interface UserRec {
  name: string;
  id: string;
  path: string;
  createDate: number;
  tags: Tag[];
  permissionsBoundary?: string;
  passwordLastUsed?: number;
}

export interface GroupRec {
  name: string;
  id: string;
  path: string;
  createDate: number;
}

export interface RoleRec {
  name: string;
  id: string;
  path: string;
  createDate: number;
  /** The trust policy as the caller sent it (decoded JSON text). */
  trust: string;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  permissionsBoundary?: string;
  lastUsed?: { date: number; region: string };
  /** Set for a service-linked role: the service principal it is linked to (its trust and deletion are the service's). */
  linkedService?: string;
}

export interface PolicyVersionRec {
  id: string;
  document: string;
  createDate: number;
}

export interface PolicyRec {
  name: string;
  id: string;
  path: string;
  createDate: number;
  updateDate: number;
  description?: string;
  defaultVersion: string;
  /** Version ids are never reused: v1, v2, … even after deletions. */
  nextVersion: number;
  versions: PolicyVersionRec[];
  tags: Tag[];
}

export interface AccessKeyRec {
  id: string;
  secret: string;
  userName: string;
  status: "Active" | "Inactive";
  createDate: number;
}

export interface AccessKeyIndexRec {
  account: string;
  /** The owning user's key in the users table (lower-cased name). */
  user: string;
}

export interface AccessKeyUsageRec {
  date: number;
  service: string;
  region: string;
}

export interface LoginProfileRec {
  userName: string;
  createDate: number;
  passwordResetRequired: boolean;
  /** `<salt hex>:<sha256(salt + password) hex>`. */
  passwordHash?: string;
}

export interface MfaRec {
  serial: string;
  name: string;
  path: string;
  seed: string;
  createDate: number;
  tags: Tag[];
  /** Users-table key of the user it is enabled for. */
  user?: string;
  enableDate?: number;
}

export interface InstanceProfileRec {
  name: string;
  id: string;
  path: string;
  createDate: number;
  /** Roles-table keys. */
  roles: string[];
  tags: Tag[];
}

export interface InlinePolicyRec {
  name: string;
  document: string;
}

export interface PasswordPolicyRec {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercase: boolean;
  requireLowercase: boolean;
  allowUsersToChangePassword: boolean;
  maxPasswordAge?: number;
  passwordReusePrevention?: number;
  hardExpiry?: boolean;
}

export interface OidcProviderRec {
  /** The URL as given (https://host/path); the ARN's resource is it without the scheme. */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: number;
  tags: Tag[];
}

export interface SamlProviderRec {
  name: string;
  metadata: string;
  uuid: string;
  createDate: number;
  validUntil: number;
  assertionEncryptionMode: "Required" | "Allowed";
  tags: Tag[];
}

export interface SigningCertRec {
  id: string;
  userName: string;
  body: string;
  status: "Active" | "Inactive";
  uploadDate: number;
}

export interface ServiceCredentialRec {
  id: string;
  userName: string;
  serviceName: string;
  serviceUserName: string;
  password: string;
  status: "Active" | "Inactive";
  createDate: number;
}

export interface SlrDeletionRec {
  status: "SUCCEEDED" | "IN_PROGRESS" | "FAILED" | "NOT_STARTED";
  roleArn: string;
}

export type EntityKind = "user" | "group" | "role";

/** IAM names are unique regardless of case: "Bob" and "bob" are the same user. */
export const nameKey = (name: string) => name.toLowerCase();

/**
 * IAM's tables: per account (stored as iam:<name>, scope <account>), and the global access-key index and usage
 * (scope ""), which a request signed with an AKIA key reads before it knows its account.
 */
export const iamState = defineState("iam", {
  users: perAccount<UserRec>(),
  groups: perAccount<GroupRec>(),
  roles: perAccount<RoleRec>(),
  policies: perAccount<PolicyRec>(),
  /** `<group>\0<user>` and `<user>\0<group>` in two tables, so both directions list by prefix. */
  groupMembers: perAccount<true>("group-members"),
  userGroups: perAccount<true>("user-groups"),
  /** `<policyArn>\0<kind>\0<entity>` and `<kind>\0<entity>\0<policyArn>`. */
  policyAttachments: perAccount<true>("policy-attachments"),
  entityPolicies: perAccount<true>("entity-policies"),
  /** `<kind>\0<entity>\0<policyName>`. */
  inline: perAccount<InlinePolicyRec>("inline-policies"),
  /** `<user>\0<accessKeyId>`. */
  accessKeys: perAccount<AccessKeyRec>("access-keys"),
  loginProfiles: perAccount<LoginProfileRec>("login-profiles"),
  /** Keyed by serial number. */
  mfa: perAccount<MfaRec>("mfa-devices"),
  instanceProfiles: perAccount<InstanceProfileRec>("instance-profiles"),
  meta: perAccount<{ createDate: number }>("account"),
  /** The one "PasswordPolicy" record. */
  passwordPolicy: perAccount<PasswordPolicyRec>("password-policy"),
  /** Keyed by the provider ARN's resource (host/path, lower-cased host). */
  oidcProviders: perAccount<OidcProviderRec>("oidc-providers"),
  /** Keyed by name. */
  samlProviders: perAccount<SamlProviderRec>("saml-providers"),
  /** `<user>\0<certificateId>`. */
  signingCerts: perAccount<SigningCertRec>("signing-certificates"),
  /** `<user>\0<credentialId>`. */
  serviceCredentials: perAccount<ServiceCredentialRec>("service-specific-credentials"),
  /** Keyed by deletion task id. */
  slrDeletions: perAccount<SlrDeletionRec>("slr-deletions"),
  /** accessKeyId → owner, across accounts: how a request signed with an AKIA key finds its account. */
  accessKeyIndex: global<AccessKeyIndexRec>("access-key-index"),
  accessKeyUsage: global<AccessKeyUsageRec>("access-key-usage"),
});

export type Tables = TablesOf<typeof iamState extends StateDef<infer S> ? S : never>;

/** What reaches IAM's tables: a handler context or the service host, or the store itself (credential sources). */
export type IamHolder = StateHolder | Store;

const holderOf = (h: IamHolder): StateHolder => (STORE in h ? h : { [STORE]: h });

/** The tables of one account; for internal lookups (another account, or a caller holding only the store). */
export const tablesFor = (holder: IamHolder, account: string): Tables => iamState.at(holderOf(holder), account);

/** The caller's account's tables (and the global index tables). */
export const tables = (ctx: HandlerContext): Tables => iamState.of(ctx);

/** Runs fn atomically in the store (all of its writes commit together or none). */
export { transaction } from "../../core/state.js";

export const k = (...parts: string[]) => parts.join("\u0000");

export const iamArn = (account: string, type: string, path: string, name: string) => globalArn(account, "iam", `${type}${path}${name}`);
export const userArn = (ctx: HandlerContext | string, u: UserRec) => iamArn(acct(ctx), "user", u.path, u.name);
export const groupArn = (ctx: HandlerContext | string, g: GroupRec) => iamArn(acct(ctx), "group", g.path, g.name);
export const roleArn = (ctx: HandlerContext | string, r: RoleRec) => iamArn(acct(ctx), "role", r.path, r.name);
const acct = (ctx: HandlerContext | string) => (typeof ctx === "string" ? ctx : ctx.account);
