// Shared IAM helpers: ids and ARNs in AWS's formats, IAM's Marker/MaxItems paging, tags, lookups that 404 as AWS words it.
import { nodeCrypto } from "../../core/lazy.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { pageByKey } from "../../core/paging.js";
import type { Entry } from "../../core/store/types.js";
import { mergeTags as merge, removeTags as removeFrom } from "../../core/tags.js";
import { InvalidInputException, LimitExceededException, NoSuchEntityException, UnmodifiableEntityException } from "./api.generated.js";
import type { Tag } from "./api.generated.js";
import type { GroupRec, RoleRec, Tables, UserRec } from "./state.js";
import { nameKey } from "./state.js";

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function randomFrom(alphabet: string, n: number): string {
  const bytes = nodeCrypto().randomBytes(n);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Unique ids: a four-letter type prefix and 17 upper-case alphanumerics (AIDA user, AROA role, …). */
export type IdPrefix = "AIDA" | "AGPA" | "AROA" | "ANPA" | "AIPA";
export const newId = (prefix: IdPrefix) => prefix + randomFrom(UPPER_ALNUM, 17);
export const newAccessKeyId = () => "AKIA" + randomFrom(UPPER_ALNUM, 16);
export const newSecretAccessKey = () => randomFrom(SECRET_CHARS, 40);

// ARNs of IAM records live beside the records (state.ts), which start-up loads for the credential source.
import { groupArn, iamArn, roleArn, userArn } from "./state.js";

export { groupArn, iamArn, roleArn, userArn };

export const toDate = (ms: number) => new Date(ms);

// Markers (core/paging's) are opaque to callers; inside they are the last key returned (so a page boundary
// survives inserts), bound to the operation that issued them.
export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** One page of key-ordered entries, after `marker`, at most `maxItems` (IAM's default 100). */
export function page<T>(operation: string, entries: Entry<T>[], marker: string | undefined, maxItems: number | undefined): Page<T> {
  const p = pageByKey(entries, (e) => e.key, {
    operation,
    token: marker || undefined,
    max: maxItems ?? 100,
    invalid: () => new ServiceError("ValidationError", "Invalid Marker.", 400),
  });
  return { items: p.items.map((e) => e.value), IsTruncated: p.next !== undefined, Marker: p.next };
}

/** Page an already-ordered list of values, using their position-independent sort key. */
export const pageBy = <T>(operation: string, values: T[], key: (v: T) => string, marker: string | undefined, maxItems: number | undefined) =>
  page(
    operation,
    values.map((v) => ({ key: key(v), value: v })),
    marker,
    maxItems,
  );

export const underPath = (path: string, prefix: string | undefined) => !prefix || path.startsWith(prefix);

// Tags: a tag with an existing key replaces its value; 50 per resource. Users' and roles' tag keys compare
// case-insensitively, case preserved: tagging a user that has Department=finance with department=hr replaces the tag
// (one tag, the new one), and "Dept" and "dept" in one request are duplicates — "Duplicate tag keys found. Please
// note that Tag keys are case insensitive." (IAM User Guide, Tagging IAM resources, "Case sensitivity":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html; the message as moto's DuplicateTags). The other
// IAM resources (policies, instance profiles, MFA devices, identity providers) keep case-sensitive keys.
const CASE_INSENSITIVE = new Set(["user", "role"]);
const tagKey = (t: Tag) => t.Key;
const foldedKey = (t: Tag) => t.Key.toLowerCase();
export const mergeTags = (existing: Tag[], added: Tag[] | undefined, what: string): Tag[] =>
  merge(existing, added, {
    key: CASE_INSENSITIVE.has(what) ? foldedKey : tagKey,
    duplicates: () => new InvalidInputException("Duplicate tag keys found. Please note that Tag keys are case insensitive."),
    max: 50,
    tooMany: () => new LimitExceededException(`The number of tags has reached the maximum limit for ${what}.`),
  });

/** Tags merged with IAM's rules and a caller-worded error past 50 (e.g. identity providers' wording). */
export const tagsMerged = (existing: Tag[], added: Tag[] | undefined, tooMany: () => Error): Tag[] =>
  merge(existing, added, {
    key: tagKey,
    duplicates: () => new InvalidInputException("Duplicate tag keys found. Please note that Tag keys are case insensitive."),
    max: 50,
    tooMany,
  });

/** The tags without those keys; `what` as for mergeTags (users' and roles' keys match whatever their case). */
export const removeTags = (existing: Tag[], keys: string[], what?: string) =>
  what && CASE_INSENSITIVE.has(what)
    ? removeFrom(
        existing,
        keys.map((k) => k.toLowerCase()),
        foldedKey,
      )
    : removeFrom(existing, keys, tagKey);

// Lookups that fail as AWS does.
export function mustUser(t: Tables, name: string): UserRec {
  const u = t.users.get(nameKey(name));
  if (!u) throw new NoSuchEntityException(`The user with name ${name} cannot be found.`);
  return u;
}

export function mustGroup(t: Tables, name: string): GroupRec {
  const g = t.groups.get(nameKey(name));
  if (!g) throw new NoSuchEntityException(`The group with name ${name} cannot be found.`);
  return g;
}

export function mustRole(t: Tables, name: string): RoleRec {
  const r = t.roles.get(nameKey(name));
  if (!r) throw new NoSuchEntityException(`The role with name ${name} cannot be found.`);
  return r;
}

/** Refuses changes to a service-linked role as AWS does: only its service changes it. */
export function assertModifiable(r: RoleRec): void {
  if (r.linkedService)
    throw new UnmodifiableEntityException(`Cannot perform the operation on the protected role '${r.name}' - this role is only modifiable by AWS`);
}

export const userOut = (account: string, u: UserRec, withTags = false) => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.id,
  Arn: userArn(account, u),
  CreateDate: toDate(u.createDate),
  ...(u.passwordLastUsed ? { PasswordLastUsed: toDate(u.passwordLastUsed) } : {}),
  ...(u.permissionsBoundary
    ? { PermissionsBoundary: { PermissionsBoundaryType: "PermissionsBoundaryPolicy" as const, PermissionsBoundaryArn: u.permissionsBoundary } }
    : {}),
  ...(withTags && u.tags.length ? { Tags: u.tags } : {}),
});

export const groupOut = (account: string, g: GroupRec) => ({
  Path: g.path,
  GroupName: g.name,
  GroupId: g.id,
  Arn: groupArn(account, g),
  CreateDate: toDate(g.createDate),
});

/** Policy documents travel URL-encoded in IAM responses (RFC 3986), as AWS sends them. */
export const encodeDocument = (doc: string) => encodeURIComponent(doc);

export const roleOut = (account: string, r: RoleRec, full = false) => ({
  Path: r.path,
  RoleName: r.name,
  RoleId: r.id,
  Arn: roleArn(account, r),
  CreateDate: toDate(r.createDate),
  AssumeRolePolicyDocument: encodeDocument(r.trust),
  ...(r.description !== undefined ? { Description: r.description } : {}),
  MaxSessionDuration: r.maxSessionDuration,
  ...(r.permissionsBoundary
    ? { PermissionsBoundary: { PermissionsBoundaryType: "PermissionsBoundaryPolicy" as const, PermissionsBoundaryArn: r.permissionsBoundary } }
    : {}),
  ...(full && r.tags.length ? { Tags: r.tags } : {}),
  ...(full ? { RoleLastUsed: r.lastUsed ? { LastUsedDate: toDate(r.lastUsed.date), Region: r.lastUsed.region } : {} } : {}),
});
