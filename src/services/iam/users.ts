// IAM users: create, get (including the caller's own user and the root user), list, rename, delete, tags, boundary.
import { globalArn } from "../../core/arn.js";
import { ServiceError } from "../../core/errors.js";
import type { HandlerContext } from "../../core/context.js";
import type { IamApi, User } from "./api.generated.js";
import { DeleteConflictException, EntityAlreadyExistsException } from "./api.generated.js";
import { mergeTags, mustUser, newId, page, removeTags, underPath, userOut } from "./common.js";
import { attachments, inline, membership, rekeyEntity } from "./links.js";
import { mustAttachablePolicy } from "./policy-store.js";
import { k, nameKey, tables, transaction } from "./state.js";

/** The root user has no UserName; AWS reports the account id as its id and the account's creation time. */
function rootUser(ctx: HandlerContext) {
  const t = tables(ctx);
  let meta = t.meta.get("account");
  if (!meta) {
    meta = { createDate: ctx.now() };
    t.meta.insert("account", meta);
  }
  return { UserId: ctx.account, Arn: globalArn(ctx.account, "iam", "root"), CreateDate: new Date(meta.createDate) };
}

export const users = {
  createUser({ UserName, Path = "/", PermissionsBoundary, Tags }, ctx) {
    const t = tables(ctx);
    if (PermissionsBoundary) mustAttachablePolicy(ctx, PermissionsBoundary);
    const rec = {
      name: UserName,
      id: newId("AIDA"),
      path: Path,
      createDate: ctx.now(),
      tags: mergeTags([], Tags, "user"),
      permissionsBoundary: PermissionsBoundary,
    };
    if (!t.users.insert(nameKey(UserName), rec)) throw new EntityAlreadyExistsException(`User with name ${UserName} already exists.`);
    return { User: userOut(ctx.account, rec, true) };
  },

  getUser({ UserName }, ctx) {
    if (!UserName) {
      const p = ctx.principal;
      // The root user has no UserName or Path; AWS omits both although the model marks them required.
      if (p.type === "Root") return { User: rootUser(ctx) as unknown as User };
      if (p.type !== "IAMUser" || !p.userName) throw new ServiceError("ValidationError", "Must specify userName when calling with non-User credentials", 400);
      UserName = p.userName;
    }
    return { User: userOut(ctx.account, mustUser(tables(ctx), UserName), true) };
  },

  listUsers({ PathPrefix, Marker, MaxItems }, ctx) {
    const all = tables(ctx)
      .users.list()
      .filter((e) => underPath(e.value.path, PathPrefix));
    const p = page(ctx.operation, all, Marker, MaxItems);
    return { Users: p.items.map((u) => userOut(ctx.account, u)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  updateUser({ UserName, NewUserName, NewPath }, ctx) {
    const t = tables(ctx);
    const u = mustUser(t, UserName);
    const from = nameKey(u.name);
    const to = NewUserName ? nameKey(NewUserName) : from;
    if (to !== from && t.users.has(to)) throw new EntityAlreadyExistsException(`User with name ${NewUserName} already exists.`);
    const next = { ...u, name: NewUserName ?? u.name, path: NewPath ?? u.path };
    transaction(ctx, () => {
      t.users.delete(from);
      t.users.put(to, next);
      if (to === from) return;
      rekeyEntity(t, "user", from, to);
      for (const e of t.accessKeys.list({ prefix: k(from, "") })) {
        t.accessKeys.delete(e.key);
        t.accessKeys.put(k(to, e.value.id), { ...e.value, userName: next.name });
        t.accessKeyIndex.put(e.value.id, { account: ctx.account, user: to });
      }
      const lp = t.loginProfiles.get(from);
      if (lp) {
        t.loginProfiles.delete(from);
        t.loginProfiles.put(to, { ...lp, userName: next.name });
      }
      for (const d of t.mfa.list()) if (d.value.user === from) t.mfa.put(d.key, { ...d.value, user: to });
      for (const e of t.signingCerts.list({ prefix: k(from, "") })) {
        t.signingCerts.delete(e.key);
        t.signingCerts.put(k(to, e.value.id), { ...e.value, userName: next.name });
      }
      for (const e of t.serviceCredentials.list({ prefix: k(from, "") })) {
        t.serviceCredentials.delete(e.key);
        t.serviceCredentials.put(k(to, e.value.id), { ...e.value, userName: next.name });
      }
    });
    return {};
  },

  deleteUser({ UserName }, ctx) {
    const t = tables(ctx);
    const u = mustUser(t, UserName);
    const key = nameKey(u.name);
    // AWS refuses while anything still hangs off the user, naming the first thing to remove.
    const conflict = (what: string) => new DeleteConflictException(`Cannot delete entity, must ${what} first.`);
    if (t.loginProfiles.has(key)) throw conflict("delete login profile");
    if (t.accessKeys.count(k(key, ""))) throw conflict("delete access keys");
    if (t.mfa.list().some((d) => d.value.user === key)) throw conflict("delete MFA device");
    if (inline.count(t, "user", key)) throw conflict("delete policies");
    if (attachments.policiesOf(t, "user", key).length) throw conflict("detach all policies");
    if (membership.groupsOf(t, key).length) throw conflict("remove users from group");
    // Wording of these two as LocalStack answers for service-specific credentials; for certificates unverified.
    if (t.signingCerts.count(k(key, ""))) throw conflict("delete signing certificates");
    if (t.serviceCredentials.count(k(key, ""))) throw new DeleteConflictException("Cannot delete entity, must remove referenced objects first.");
    t.users.delete(key);
    return {};
  },

  tagUser({ UserName, Tags }, ctx) {
    const t = tables(ctx);
    const u = mustUser(t, UserName);
    t.users.put(nameKey(u.name), { ...u, tags: mergeTags(u.tags, Tags, "user") });
    return {};
  },

  untagUser({ UserName, TagKeys }, ctx) {
    const t = tables(ctx);
    const u = mustUser(t, UserName);
    t.users.put(nameKey(u.name), { ...u, tags: removeTags(u.tags, TagKeys, "user") });
    return {};
  },

  listUserTags({ UserName, Marker, MaxItems }, ctx) {
    const u = mustUser(tables(ctx), UserName);
    const p = page(
      ctx.operation,
      u.tags.map((tag, i) => ({ key: String(i).padStart(4, "0"), value: tag })),
      Marker,
      MaxItems,
    );
    return { Tags: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  putUserPermissionsBoundary({ UserName, PermissionsBoundary }, ctx) {
    const t = tables(ctx);
    const u = mustUser(t, UserName);
    mustAttachablePolicy(ctx, PermissionsBoundary);
    t.users.put(nameKey(u.name), { ...u, permissionsBoundary: PermissionsBoundary });
    return {};
  },

  deleteUserPermissionsBoundary({ UserName }, ctx) {
    const t = tables(ctx);
    const u = mustUser(t, UserName);
    t.users.put(nameKey(u.name), { ...u, permissionsBoundary: undefined });
    return {};
  },
} satisfies Partial<IamApi>;
