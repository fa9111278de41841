// Instance profiles: containers for (at most one) role that EC2 instances assume.
import type { IamApi } from "./api.generated.js";
import { DeleteConflictException, EntityAlreadyExistsException, LimitExceededException, NoSuchEntityException } from "./api.generated.js";
import { iamArn, mergeTags, mustRole, newId, page, removeTags, roleOut, toDate, underPath } from "./common.js";
import type { InstanceProfileRec, Tables } from "./state.js";
import { nameKey, tables } from "./state.js";

const MAX_ROLES = 1;

function mustProfile(t: Tables, name: string): InstanceProfileRec {
  const p = t.instanceProfiles.get(nameKey(name));
  if (!p) throw new NoSuchEntityException(`Instance Profile ${name} cannot be found.`);
  return p;
}

function profileOut(account: string, t: Tables, p: InstanceProfileRec, withTags = false) {
  return {
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.id,
    Arn: iamArn(account, "instance-profile", p.path, p.name),
    CreateDate: toDate(p.createDate),
    Roles: p.roles.flatMap((key) => {
      const r = t.roles.get(key);
      return r ? [roleOut(account, r)] : [];
    }),
    ...(withTags && p.tags.length ? { Tags: p.tags } : {}),
  };
}

export const instanceProfiles = {
  createInstanceProfile({ InstanceProfileName, Path = "/", Tags }, ctx) {
    const t = tables(ctx);
    const rec: InstanceProfileRec = {
      name: InstanceProfileName,
      id: newId("AIPA"),
      path: Path,
      createDate: ctx.now(),
      roles: [],
      tags: mergeTags([], Tags, "instance profile"),
    };
    if (!t.instanceProfiles.insert(nameKey(InstanceProfileName), rec))
      throw new EntityAlreadyExistsException(`Instance Profile ${InstanceProfileName} already exists.`);
    return { InstanceProfile: profileOut(ctx.account, t, rec, true) };
  },

  getInstanceProfile({ InstanceProfileName }, ctx) {
    const t = tables(ctx);
    return { InstanceProfile: profileOut(ctx.account, t, mustProfile(t, InstanceProfileName), true) };
  },

  listInstanceProfiles({ PathPrefix, Marker, MaxItems }, ctx) {
    const t = tables(ctx);
    const p = page(
      ctx.operation,
      t.instanceProfiles.list().filter((e) => underPath(e.value.path, PathPrefix)),
      Marker,
      MaxItems,
    );
    return { InstanceProfiles: p.items.map((ip) => profileOut(ctx.account, t, ip)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  deleteInstanceProfile({ InstanceProfileName }, ctx) {
    const t = tables(ctx);
    const p = mustProfile(t, InstanceProfileName);
    if (p.roles.length) throw new DeleteConflictException("Cannot delete entity, must remove roles from instance profile first.");
    t.instanceProfiles.delete(nameKey(p.name));
    return {};
  },

  addRoleToInstanceProfile({ InstanceProfileName, RoleName }, ctx) {
    const t = tables(ctx);
    const p = mustProfile(t, InstanceProfileName);
    const role = nameKey(mustRole(t, RoleName).name);
    if (p.roles.length >= MAX_ROLES) throw new LimitExceededException(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${MAX_ROLES}`);
    t.instanceProfiles.put(nameKey(p.name), { ...p, roles: [...p.roles, role] });
    return {};
  },

  removeRoleFromInstanceProfile({ InstanceProfileName, RoleName }, ctx) {
    const t = tables(ctx);
    const p = mustProfile(t, InstanceProfileName);
    const role = nameKey(mustRole(t, RoleName).name);
    if (!p.roles.includes(role)) throw new NoSuchEntityException(`The role with name ${RoleName} cannot be found.`);
    t.instanceProfiles.put(nameKey(p.name), { ...p, roles: p.roles.filter((r) => r !== role) });
    return {};
  },

  listInstanceProfilesForRole({ RoleName, Marker, MaxItems }, ctx) {
    const t = tables(ctx);
    const role = nameKey(mustRole(t, RoleName).name);
    const p = page(
      ctx.operation,
      t.instanceProfiles.list().filter((e) => e.value.roles.includes(role)),
      Marker,
      MaxItems,
    );
    return { InstanceProfiles: p.items.map((ip) => profileOut(ctx.account, t, ip)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  tagInstanceProfile({ InstanceProfileName, Tags }, ctx) {
    const t = tables(ctx);
    const p = mustProfile(t, InstanceProfileName);
    t.instanceProfiles.put(nameKey(p.name), { ...p, tags: mergeTags(p.tags, Tags, "instance profile") });
    return {};
  },

  untagInstanceProfile({ InstanceProfileName, TagKeys }, ctx) {
    const t = tables(ctx);
    const p = mustProfile(t, InstanceProfileName);
    t.instanceProfiles.put(nameKey(p.name), { ...p, tags: removeTags(p.tags, TagKeys) });
    return {};
  },

  listInstanceProfileTags({ InstanceProfileName, Marker, MaxItems }, ctx) {
    const p = mustProfile(tables(ctx), InstanceProfileName);
    const pg = page(
      ctx.operation,
      p.tags.map((tag, i) => ({ key: String(i).padStart(4, "0"), value: tag })),
      Marker,
      MaxItems,
    );
    return { Tags: pg.items, IsTruncated: pg.IsTruncated, Marker: pg.Marker };
  },
} satisfies Partial<IamApi>;
