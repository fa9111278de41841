// IAM's records and tables (per account, names case-insensitive as in IAM), plus the global access-key index.
import type { Store, Table } from "../../core/store/types.js";
import type { HandlerContext } from "../../core/context.js";
import type { Tag } from "./api.generated.js";

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

export type EntityKind = "user" | "group" | "role";

/** IAM names are unique regardless of case: "Bob" and "bob" are the same user. */
export const nameKey = (name: string) => name.toLowerCase();

const NS = (name: string) => `iam:${name}`;

/** The tables of one account; usable from handlers (ctx) and from internal lookups (store + account). */
export function tablesFor(store: Store, account: string) {
  const t = <T>(name: string): Table<T> => store.table<T>(NS(name), account);
  return {
    users: t<UserRec>("users"),
    groups: t<GroupRec>("groups"),
    roles: t<RoleRec>("roles"),
    policies: t<PolicyRec>("policies"),
    /** `<group>\0<user>` and `<user>\0<group>` in two tables, so both directions list by prefix. */
    groupMembers: t<true>("group-members"),
    userGroups: t<true>("user-groups"),
    /** `<policyArn>\0<kind>\0<entity>` and `<kind>\0<entity>\0<policyArn>`. */
    policyAttachments: t<true>("policy-attachments"),
    entityPolicies: t<true>("entity-policies"),
    /** `<kind>\0<entity>\0<policyName>`. */
    inline: t<InlinePolicyRec>("inline-policies"),
    /** `<user>\0<accessKeyId>`. */
    accessKeys: t<AccessKeyRec>("access-keys"),
    loginProfiles: t<LoginProfileRec>("login-profiles"),
    /** Keyed by serial number. */
    mfa: t<MfaRec>("mfa-devices"),
    instanceProfiles: t<InstanceProfileRec>("instance-profiles"),
    meta: t<{ createDate: number }>("account"),
  };
}

export type Tables = ReturnType<typeof tablesFor>;

export const tables = (ctx: HandlerContext): Tables => tablesFor(ctx.store, ctx.account);

/** accessKeyId → owner, across accounts: how a request signed with an AKIA key finds its account. */
export const accessKeyIndex = (store: Store) => store.table<AccessKeyIndexRec>(NS("access-key-index"), "");
export const accessKeyUsage = (store: Store) => store.table<AccessKeyUsageRec>(NS("access-key-usage"), "");

export const k = (...parts: string[]) => parts.join("\u0000");
