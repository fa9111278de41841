// IAM roles: trust policies, session duration, description, tags, permissions boundary, deletion rules.
import type { IamApi } from "./api.generated.js";
import { DeleteConflictException, EntityAlreadyExistsException } from "./api.generated.js";
import { assertModifiable, mergeTags, mustRole, newId, page, removeTags, roleOut, underPath } from "./common.js";
import { attachments, inline } from "./links.js";
import { checkPolicyDocument, checkPolicySize } from "./policy-grammar.js";
import { mustAttachablePolicy } from "./policy-store.js";
import type { RoleRec } from "./state.js";
import { nameKey, tables } from "./state.js";

function checkTrust(doc: string) {
  checkPolicyDocument(doc, "trust");
  checkPolicySize(doc, "ACLSizePerRole", 2048);
}

export const roles = {
  createRole({ RoleName, Path = "/", AssumeRolePolicyDocument, Description, MaxSessionDuration = 3600, PermissionsBoundary, Tags }, ctx) {
    checkTrust(AssumeRolePolicyDocument);
    if (PermissionsBoundary) mustAttachablePolicy(ctx, PermissionsBoundary);
    const rec: RoleRec = {
      name: RoleName,
      id: newId("AROA"),
      path: Path,
      createDate: ctx.now(),
      trust: AssumeRolePolicyDocument,
      description: Description,
      maxSessionDuration: MaxSessionDuration,
      tags: mergeTags([], Tags, "role"),
      permissionsBoundary: PermissionsBoundary,
    };
    if (!tables(ctx).roles.insert(nameKey(RoleName), rec)) throw new EntityAlreadyExistsException(`Role with name ${RoleName} already exists.`);
    const { RoleLastUsed: _, ...out } = roleOut(ctx.account, rec, true);
    return { Role: out };
  },

  getRole({ RoleName }, ctx) {
    return { Role: roleOut(ctx.account, mustRole(tables(ctx), RoleName), true) };
  },

  listRoles({ PathPrefix, Marker, MaxItems }, ctx) {
    const all = tables(ctx)
      .roles.list()
      .filter((e) => underPath(e.value.path, PathPrefix));
    const p = page(ctx.operation, all, Marker, MaxItems);
    return { Roles: p.items.map((r) => roleOut(ctx.account, r)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  updateRole({ RoleName, Description, MaxSessionDuration }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    t.roles.put(nameKey(r.name), { ...r, description: Description ?? r.description, maxSessionDuration: MaxSessionDuration ?? r.maxSessionDuration });
    return {};
  },

  updateRoleDescription({ RoleName, Description }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    const next = { ...r, description: Description };
    t.roles.put(nameKey(r.name), next);
    return { Role: roleOut(ctx.account, next, true) };
  },

  updateAssumeRolePolicy({ RoleName, PolicyDocument }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    assertModifiable(r);
    checkTrust(PolicyDocument);
    t.roles.put(nameKey(r.name), { ...r, trust: PolicyDocument });
    return {};
  },

  deleteRole({ RoleName }, ctx) {
    const t = tables(ctx);
    const role = mustRole(t, RoleName);
    // A service-linked role is deleted through DeleteServiceLinkedRole.
    assertModifiable(role);
    const key = nameKey(role.name);
    if (t.instanceProfiles.list().some((e) => e.value.roles.includes(key))) {
      throw new DeleteConflictException("Cannot delete entity, must remove roles from instance profile first.");
    }
    if (inline.count(t, "role", key)) throw new DeleteConflictException("Cannot delete entity, must delete policies first.");
    if (attachments.policiesOf(t, "role", key).length) throw new DeleteConflictException("Cannot delete entity, must detach all policies first.");
    t.roles.delete(key);
    return {};
  },

  tagRole({ RoleName, Tags }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    t.roles.put(nameKey(r.name), { ...r, tags: mergeTags(r.tags, Tags, "role") });
    return {};
  },

  untagRole({ RoleName, TagKeys }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    t.roles.put(nameKey(r.name), { ...r, tags: removeTags(r.tags, TagKeys, "role") });
    return {};
  },

  listRoleTags({ RoleName, Marker, MaxItems }, ctx) {
    const r = mustRole(tables(ctx), RoleName);
    const p = page(
      ctx.operation,
      r.tags.map((tag, i) => ({ key: String(i).padStart(4, "0"), value: tag })),
      Marker,
      MaxItems,
    );
    return { Tags: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  putRolePermissionsBoundary({ RoleName, PermissionsBoundary }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    assertModifiable(r);
    mustAttachablePolicy(ctx, PermissionsBoundary);
    t.roles.put(nameKey(r.name), { ...r, permissionsBoundary: PermissionsBoundary });
    return {};
  },

  deleteRolePermissionsBoundary({ RoleName }, ctx) {
    const t = tables(ctx);
    const r = mustRole(t, RoleName);
    t.roles.put(nameKey(r.name), { ...r, permissionsBoundary: undefined });
    return {};
  },
} satisfies Partial<IamApi>;
