// IAM groups and their membership.
import type { IamApi } from "./api.generated.js";
import { DeleteConflictException, EntityAlreadyExistsException, LimitExceededException, NoSuchEntityException } from "./api.generated.js";
import { groupOut, mustGroup, mustUser, newId, page, underPath, userOut } from "./common.js";
import { attachments, inline, membership, rekeyEntity } from "./links.js";
import type { GroupRec, UserRec } from "./state.js";
import { nameKey, tables, transaction } from "./state.js";

const MAX_GROUPS_PER_USER = 10;

export const groups = {
  createGroup({ GroupName, Path = "/" }, ctx) {
    const rec: GroupRec = { name: GroupName, id: newId("AGPA"), path: Path, createDate: ctx.now() };
    if (!tables(ctx).groups.insert(nameKey(GroupName), rec)) throw new EntityAlreadyExistsException(`Group with name ${GroupName} already exists.`);
    return { Group: groupOut(ctx.account, rec) };
  },

  getGroup({ GroupName, Marker, MaxItems }, ctx) {
    const t = tables(ctx);
    const g = mustGroup(t, GroupName);
    const members = membership.usersOf(t, nameKey(g.name)).flatMap((key) => {
      const u = t.users.get(key);
      return u ? [{ key, value: u }] : [];
    });
    const p = page(ctx.operation, members, Marker, MaxItems);
    return { Group: groupOut(ctx.account, g), Users: p.items.map((u: UserRec) => userOut(ctx.account, u)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  listGroups({ PathPrefix, Marker, MaxItems }, ctx) {
    const all = tables(ctx)
      .groups.list()
      .filter((e) => underPath(e.value.path, PathPrefix));
    const p = page(ctx.operation, all, Marker, MaxItems);
    return { Groups: p.items.map((g) => groupOut(ctx.account, g)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  updateGroup({ GroupName, NewGroupName, NewPath }, ctx) {
    const t = tables(ctx);
    const g = mustGroup(t, GroupName);
    const from = nameKey(g.name);
    const to = NewGroupName ? nameKey(NewGroupName) : from;
    if (to !== from && t.groups.has(to)) throw new EntityAlreadyExistsException(`Group with name ${NewGroupName} already exists.`);
    transaction(ctx, () => {
      t.groups.delete(from);
      t.groups.put(to, { ...g, name: NewGroupName ?? g.name, path: NewPath ?? g.path });
      rekeyEntity(t, "group", from, to);
    });
    return {};
  },

  deleteGroup({ GroupName }, ctx) {
    const t = tables(ctx);
    const key = nameKey(mustGroup(t, GroupName).name);
    if (membership.usersOf(t, key).length) throw new DeleteConflictException("Cannot delete entity, must remove users from group first.");
    if (inline.count(t, "group", key)) throw new DeleteConflictException("Cannot delete entity, must delete policies first.");
    if (attachments.policiesOf(t, "group", key).length) throw new DeleteConflictException("Cannot delete entity, must detach all policies first.");
    t.groups.delete(key);
    return {};
  },

  addUserToGroup({ GroupName, UserName }, ctx) {
    const t = tables(ctx);
    const g = nameKey(mustGroup(t, GroupName).name);
    const u = nameKey(mustUser(t, UserName).name);
    if (membership.has(t, g, u)) return {};
    if (membership.groupsOf(t, u).length >= MAX_GROUPS_PER_USER)
      throw new LimitExceededException(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
    transaction(ctx, () => membership.add(t, g, u));
    return {};
  },

  removeUserFromGroup({ GroupName, UserName }, ctx) {
    const t = tables(ctx);
    const g = nameKey(mustGroup(t, GroupName).name);
    const u = nameKey(mustUser(t, UserName).name);
    if (!membership.has(t, g, u)) throw new NoSuchEntityException(`The user with name ${UserName} cannot be found.`);
    transaction(ctx, () => membership.remove(t, g, u));
    return {};
  },

  listGroupsForUser({ UserName, Marker, MaxItems }, ctx) {
    const t = tables(ctx);
    const u = nameKey(mustUser(t, UserName).name);
    const entries = membership.groupsOf(t, u).flatMap((key) => {
      const g = t.groups.get(key);
      return g ? [{ key, value: g }] : [];
    });
    const p = page(ctx.operation, entries, Marker, MaxItems);
    return { Groups: p.items.map((g) => groupOut(ctx.account, g)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },
} satisfies Partial<IamApi>;
