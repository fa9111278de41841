// Attaching managed policies to users, groups and roles, and listing attachments from either side.
import type { HandlerContext } from "../../core/context.js";
import type { IamApi } from "./api.generated.js";
import { LimitExceededException, NoSuchEntityException } from "./api.generated.js";
import { assertModifiable, mustGroup, mustRole, mustUser, page, underPath } from "./common.js";
import { attachments } from "./links.js";
import { findPolicy, mustAttachablePolicy } from "./policy-store.js";
import type { EntityKind, RoleRec, Tables } from "./state.js";
import { k, nameKey, tables, transaction } from "./state.js";

// AWS's default quota of managed policies per entity, named as its LimitExceeded message names it.
const QUOTA: Record<EntityKind, string> = { user: "PoliciesPerUser", group: "PoliciesPerGroup", role: "PoliciesPerRole" };
const MAX_ATTACHED = 10;

function entityKey(t: Tables, kind: EntityKind, name: string): string {
  const rec = kind === "user" ? mustUser(t, name) : kind === "group" ? mustGroup(t, name) : mustRole(t, name);
  // A service-linked role's policies are its service's to change.
  if (kind === "role") assertModifiable(rec as RoleRec);
  return nameKey(rec.name);
}

function attach(ctx: HandlerContext, kind: EntityKind, name: string, arn: string) {
  const t = tables(ctx);
  const key = entityKey(t, kind, name);
  mustAttachablePolicy(ctx, arn);
  // Attaching an already attached policy succeeds without change, as in AWS.
  if (attachments.has(t, kind, key, arn)) return {};
  if (attachments.policiesOf(t, kind, key).length >= MAX_ATTACHED) throw new LimitExceededException(`Cannot exceed quota for ${QUOTA[kind]}: ${MAX_ATTACHED}`);
  transaction(ctx, () => attachments.attach(t, kind, key, arn));
  return {};
}

function detach(ctx: HandlerContext, kind: EntityKind, name: string, arn: string) {
  const t = tables(ctx);
  const key = entityKey(t, kind, name);
  if (!attachments.has(t, kind, key, arn)) throw new NoSuchEntityException(`Policy ${arn} was not found.`);
  transaction(ctx, () => attachments.detach(t, kind, key, arn));
  return {};
}

function listAttached(
  ctx: HandlerContext,
  kind: EntityKind,
  name: string,
  pathPrefix: string | undefined,
  marker: string | undefined,
  maxItems: number | undefined,
) {
  const t = tables(ctx);
  const key = entityKey(t, kind, name);
  const entries = attachments
    .policiesOf(t, kind, key)
    .map((arn) => findPolicy(ctx, arn))
    .filter((p) => p !== undefined && underPath(p.path, pathPrefix))
    .map((p) => ({ key: p!.arn, value: { PolicyName: p!.name, PolicyArn: p!.arn } }));
  const p = page(ctx.operation, entries, marker, maxItems);
  return { AttachedPolicies: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
}

export const policyAttachments = {
  attachUserPolicy: ({ UserName, PolicyArn }, ctx) => attach(ctx, "user", UserName, PolicyArn),
  attachGroupPolicy: ({ GroupName, PolicyArn }, ctx) => attach(ctx, "group", GroupName, PolicyArn),
  attachRolePolicy: ({ RoleName, PolicyArn }, ctx) => attach(ctx, "role", RoleName, PolicyArn),
  detachUserPolicy: ({ UserName, PolicyArn }, ctx) => detach(ctx, "user", UserName, PolicyArn),
  detachGroupPolicy: ({ GroupName, PolicyArn }, ctx) => detach(ctx, "group", GroupName, PolicyArn),
  detachRolePolicy: ({ RoleName, PolicyArn }, ctx) => detach(ctx, "role", RoleName, PolicyArn),
  listAttachedUserPolicies: ({ UserName, PathPrefix, Marker, MaxItems }, ctx) => listAttached(ctx, "user", UserName, PathPrefix, Marker, MaxItems),
  listAttachedGroupPolicies: ({ GroupName, PathPrefix, Marker, MaxItems }, ctx) => listAttached(ctx, "group", GroupName, PathPrefix, Marker, MaxItems),
  listAttachedRolePolicies: ({ RoleName, PathPrefix, Marker, MaxItems }, ctx) => listAttached(ctx, "role", RoleName, PathPrefix, Marker, MaxItems),

  listEntitiesForPolicy({ PolicyArn, EntityFilter, PathPrefix, Marker, MaxItems }, ctx) {
    mustAttachablePolicy(ctx, PolicyArn);
    const t = tables(ctx);
    const wanted = (kind: EntityKind) => !EntityFilter || EntityFilter.toLowerCase() === kind;
    const entries = attachments
      .entitiesOf(t, PolicyArn)
      .filter((e) => wanted(e.kind))
      .flatMap((e) => {
        const rec = e.kind === "user" ? t.users.get(e.entity) : e.kind === "group" ? t.groups.get(e.entity) : t.roles.get(e.entity);
        return rec && underPath(rec.path, PathPrefix) ? [{ key: k(e.kind, e.entity), value: { kind: e.kind, name: rec.name, id: rec.id } }] : [];
      });
    const p = page(ctx.operation, entries, Marker, MaxItems);
    const of = (kind: EntityKind) => p.items.filter((e) => e.kind === kind);
    return {
      PolicyGroups: of("group").map((e) => ({ GroupName: e.name, GroupId: e.id })),
      PolicyUsers: of("user").map((e) => ({ UserName: e.name, UserId: e.id })),
      PolicyRoles: of("role").map((e) => ({ RoleName: e.name, RoleId: e.id })),
      IsTruncated: p.IsTruncated,
      Marker: p.Marker,
    };
  },
} satisfies Partial<IamApi>;
