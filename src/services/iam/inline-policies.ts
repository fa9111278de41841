// Inline policies embedded in users, groups and roles: put, get (URL-encoded as AWS returns it), list, delete.
import type { HandlerContext } from "../../core/context.js";
import type { IamApi } from "./api.generated.js";
import { NoSuchEntityException } from "./api.generated.js";
import { assertModifiable, encodeDocument, mustGroup, mustRole, mustUser, page } from "./common.js";
import { inline } from "./links.js";
import { partitionOf } from "../../core/arn.js";
import { checkPolicyDocument, checkPolicySize } from "./policy-grammar.js";
import type { EntityKind, RoleRec } from "./state.js";
import { k, nameKey, tables } from "./state.js";

// Aggregate inline policy size quotas per entity, as AWS names them.
const SIZE: Record<EntityKind, [string, number]> = { user: ["UserPolicySize", 2048], group: ["GroupPolicySize", 5120], role: ["RolePolicySize", 10240] };

function owner(ctx: HandlerContext, kind: EntityKind, name: string) {
  const t = tables(ctx);
  const rec = kind === "user" ? mustUser(t, name) : kind === "group" ? mustGroup(t, name) : mustRole(t, name);
  return { t, rec, key: nameKey(rec.name) };
}

function put(ctx: HandlerContext, kind: EntityKind, name: string, policyName: string, document: string) {
  const { t, rec, key } = owner(ctx, kind, name);
  if (kind === "role") assertModifiable(rec as RoleRec);
  checkPolicyDocument(document, "identity", partitionOf(ctx.region));
  const [quota, max] = SIZE[kind];
  const others = inline
    .list(t, kind, key)
    .filter((e) => e.value.name !== policyName)
    .map((e) => e.value.document)
    .join("");
  checkPolicySize(others + document, quota, max);
  t.inline.put(k(kind, key, policyName), { name: policyName, document });
  return {};
}

function get(ctx: HandlerContext, kind: EntityKind, name: string, policyName: string) {
  const { t, rec, key } = owner(ctx, kind, name);
  const p = t.inline.get(k(kind, key, policyName));
  if (!p) throw new NoSuchEntityException(`The ${kind} policy with name ${policyName} cannot be found.`);
  return { name: rec.name, PolicyName: p.name, PolicyDocument: encodeDocument(p.document) };
}

function list(ctx: HandlerContext, kind: EntityKind, name: string, marker: string | undefined, maxItems: number | undefined) {
  const { t, key } = owner(ctx, kind, name);
  const p = page(ctx.operation, inline.list(t, kind, key), marker, maxItems);
  return { PolicyNames: p.items.map((v) => v.name), IsTruncated: p.IsTruncated, Marker: p.Marker };
}

function del(ctx: HandlerContext, kind: EntityKind, name: string, policyName: string) {
  const { t, rec, key } = owner(ctx, kind, name);
  if (kind === "role") assertModifiable(rec as RoleRec);
  if (!t.inline.delete(k(kind, key, policyName))) throw new NoSuchEntityException(`The ${kind} policy with name ${policyName} cannot be found.`);
  return {};
}

export const inlinePolicies = {
  putUserPolicy: ({ UserName, PolicyName, PolicyDocument }, ctx) => put(ctx, "user", UserName, PolicyName, PolicyDocument),
  putGroupPolicy: ({ GroupName, PolicyName, PolicyDocument }, ctx) => put(ctx, "group", GroupName, PolicyName, PolicyDocument),
  putRolePolicy: ({ RoleName, PolicyName, PolicyDocument }, ctx) => put(ctx, "role", RoleName, PolicyName, PolicyDocument),
  getUserPolicy({ UserName, PolicyName }, ctx) {
    const { name, ...rest } = get(ctx, "user", UserName, PolicyName);
    return { UserName: name, ...rest };
  },
  getGroupPolicy({ GroupName, PolicyName }, ctx) {
    const { name, ...rest } = get(ctx, "group", GroupName, PolicyName);
    return { GroupName: name, ...rest };
  },
  getRolePolicy({ RoleName, PolicyName }, ctx) {
    const { name, ...rest } = get(ctx, "role", RoleName, PolicyName);
    return { RoleName: name, ...rest };
  },
  listUserPolicies: ({ UserName, Marker, MaxItems }, ctx) => list(ctx, "user", UserName, Marker, MaxItems),
  listGroupPolicies: ({ GroupName, Marker, MaxItems }, ctx) => list(ctx, "group", GroupName, Marker, MaxItems),
  listRolePolicies: ({ RoleName, Marker, MaxItems }, ctx) => list(ctx, "role", RoleName, Marker, MaxItems),
  deleteUserPolicy: ({ UserName, PolicyName }, ctx) => del(ctx, "user", UserName, PolicyName),
  deleteGroupPolicy: ({ GroupName, PolicyName }, ctx) => del(ctx, "group", GroupName, PolicyName),
  deleteRolePolicy: ({ RoleName, PolicyName }, ctx) => del(ctx, "role", RoleName, PolicyName),
} satisfies Partial<IamApi>;
