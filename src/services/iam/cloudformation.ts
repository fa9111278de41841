// IAM's resource types for CloudFormation (core/resources.ts), through IAM's own operations. Return values as
// AWS's CloudFormation resource reference documents them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-<type>.html):
//   AWS::IAM::Role                Ref: the role name;            GetAtt Arn, RoleId
//   AWS::IAM::Policy              Ref: the resource name (a generated id, as Id)
//   AWS::IAM::ManagedPolicy       Ref: the policy ARN;           GetAtt PolicyArn, PolicyId, DefaultVersionId, …
//   AWS::IAM::User                Ref: the user name;            GetAtt Arn
//   AWS::IAM::Group               Ref: the group name;           GetAtt Arn
//   AWS::IAM::UserToGroupAddition Ref: the resource name (a generated id, as Id)
//   AWS::IAM::AccessKey           Ref: the access key id;        GetAtt Id, SecretAccessKey
//   AWS::IAM::InstanceProfile     Ref: the instance profile name; GetAtt Arn
// Entities the template does not name get `<stack>-<logicalId>-<RANDOM>` (64 characters at most for roles and
// users, 128 for groups, managed policies and instance profiles). Deletes undo what the resource attached (managed
// policies, inline policies, group memberships, a login profile, an instance profile's role) before deleting the
// entity, and an entity already gone is not an error.
import { isServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { Tag } from "./api.generated.js";

type Props = Record<string, unknown>;
type InlinePolicy = { PolicyName: string; PolicyDocument: unknown };

/** A policy document as IAM takes it: CloudFormation allows a JSON object (or a string). */
const doc = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const inline = (v: unknown): InlinePolicy[] => (Array.isArray(v) ? (v as InlinePolicy[]) : []);
const tagsOf = (p: Props): Tag[] | undefined => {
  const tags = p.Tags as { Key: string; Value: string }[] | undefined;
  return tags?.length ? tags.map((t) => ({ Key: String(t.Key), Value: String(t.Value) })) : undefined;
};
const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));

/** Runs an undo step; the entity (or the link) already gone is not an error. */
async function ignoringGone(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (e) {
    if (!(isServiceError(e) && e.code === "NoSuchEntity")) throw e;
  }
}

const iam = (req: ResourceRequest) => req.ctx.client("iam");

/** Names added and removed between two lists. */
function diff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  return { added: after.filter((x) => !before.includes(x)), removed: before.filter((x) => !after.includes(x)) };
}

type Kind = "Role" | "User" | "Group";

/** Attaches managed policies and puts inline policies on an entity. */
async function grant(req: ResourceRequest, kind: Kind, name: string, arns: string[], policies: InlinePolicy[]): Promise<void> {
  const c = iam(req);
  for (const arn of arns) {
    if (kind === "Role") await c.attachRolePolicy({ RoleName: name, PolicyArn: arn });
    else if (kind === "User") await c.attachUserPolicy({ UserName: name, PolicyArn: arn });
    else await c.attachGroupPolicy({ GroupName: name, PolicyArn: arn });
  }
  for (const p of policies) await putInline(req, kind, name, p.PolicyName, p.PolicyDocument);
}

async function putInline(req: ResourceRequest, kind: Kind, name: string, policyName: string, document: unknown): Promise<void> {
  const c = iam(req);
  const PolicyDocument = doc(document);
  if (kind === "Role") await c.putRolePolicy({ RoleName: name, PolicyName: policyName, PolicyDocument });
  else if (kind === "User") await c.putUserPolicy({ UserName: name, PolicyName: policyName, PolicyDocument });
  else await c.putGroupPolicy({ GroupName: name, PolicyName: policyName, PolicyDocument });
}

async function deleteInline(req: ResourceRequest, kind: Kind, name: string, policyName: string): Promise<void> {
  const c = iam(req);
  await ignoringGone(() =>
    kind === "Role"
      ? c.deleteRolePolicy({ RoleName: name, PolicyName: policyName })
      : kind === "User"
        ? c.deleteUserPolicy({ UserName: name, PolicyName: policyName })
        : c.deleteGroupPolicy({ GroupName: name, PolicyName: policyName }),
  );
}

async function detach(req: ResourceRequest, kind: Kind, name: string, arn: string): Promise<void> {
  const c = iam(req);
  await ignoringGone(() =>
    kind === "Role"
      ? c.detachRolePolicy({ RoleName: name, PolicyArn: arn })
      : kind === "User"
        ? c.detachUserPolicy({ UserName: name, PolicyArn: arn })
        : c.detachGroupPolicy({ GroupName: name, PolicyArn: arn }),
  );
}

/** Detaches every managed policy and deletes every inline policy of an entity, as CloudFormation does before deleting it. */
async function strip(req: ResourceRequest, kind: Kind, name: string): Promise<void> {
  const c = iam(req);
  const attached =
    kind === "Role"
      ? await c.listAttachedRolePolicies({ RoleName: name, MaxItems: 1000 })
      : kind === "User"
        ? await c.listAttachedUserPolicies({ UserName: name, MaxItems: 1000 })
        : await c.listAttachedGroupPolicies({ GroupName: name, MaxItems: 1000 });
  for (const p of attached.AttachedPolicies ?? []) await detach(req, kind, name, p.PolicyArn!);
  const names =
    kind === "Role"
      ? await c.listRolePolicies({ RoleName: name, MaxItems: 1000 })
      : kind === "User"
        ? await c.listUserPolicies({ UserName: name, MaxItems: 1000 })
        : await c.listGroupPolicies({ GroupName: name, MaxItems: 1000 });
  for (const p of names.PolicyNames ?? []) await deleteInline(req, kind, name, p);
}

/** An update's managed and inline policy changes on an entity. */
async function regrant(req: ResourceRequest & { previous: Props }, kind: Kind, name: string): Promise<void> {
  const arns = diff(strings(req.previous.ManagedPolicyArns), strings(req.properties.ManagedPolicyArns));
  for (const arn of arns.removed) await detach(req, kind, name, arn);
  const before = inline(req.previous.Policies);
  const after = inline(req.properties.Policies);
  for (const p of before) if (!after.some((q) => q.PolicyName === p.PolicyName)) await deleteInline(req, kind, name, p.PolicyName);
  const changed = after.filter((p) => {
    const old = before.find((q) => q.PolicyName === p.PolicyName);
    return !old || doc(old.PolicyDocument) !== doc(p.PolicyDocument);
  });
  await grant(req, kind, name, arns.added, changed);
}

/** An update's tag changes, through the entity's TagX/UntagX. */
async function retag(req: ResourceRequest & { previous: Props }, tag: (tags: Tag[]) => Promise<unknown>, untag: (keys: string[]) => Promise<unknown>) {
  const before = tagsOf(req.previous) ?? [];
  const after = tagsOf(req.properties) ?? [];
  const gone = before.filter((t) => !after.some((a) => a.Key === t.Key)).map((t) => t.Key);
  if (gone.length) await untag(gone);
  if (after.length) await tag(after);
}

async function roleResult(req: ResourceRequest, name: string) {
  const { Role } = await iam(req).getRole({ RoleName: name });
  return { physicalId: name, ref: name, attributes: { Arn: Role.Arn, RoleId: Role.RoleId } };
}

async function userResult(req: ResourceRequest, name: string) {
  const { User } = await iam(req).getUser({ UserName: name });
  return { physicalId: name, ref: name, attributes: { Arn: User.Arn } };
}

async function groupResult(req: ResourceRequest, name: string) {
  const { Group } = await iam(req).getGroup({ GroupName: name, MaxItems: 1 });
  return { physicalId: name, ref: name, attributes: { Arn: Group.Arn } };
}

async function managedPolicyResult(req: ResourceRequest, arn: string) {
  const { Policy } = await iam(req).getPolicy({ PolicyArn: arn });
  const p = Policy!;
  return {
    physicalId: arn,
    ref: arn,
    attributes: {
      PolicyArn: p.Arn,
      PolicyId: p.PolicyId,
      DefaultVersionId: p.DefaultVersionId,
      AttachmentCount: p.AttachmentCount,
      PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
      IsAttachable: p.IsAttachable,
      CreateDate: p.CreateDate?.toISOString(),
      UpdateDate: p.UpdateDate?.toISOString(),
    },
  };
}

/** The entities a Policy or ManagedPolicy resource names, by kind. */
const targets = (p: Props): [Kind, string[]][] => [
  ["Role", strings(p.Roles)],
  ["User", strings(p.Users)],
  ["Group", strings(p.Groups)],
];

export default {
  "AWS::IAM::Role": {
    async read({ ctx, physicalId: RoleName }) {
      const c = ctx.client("iam");
      let role: Awaited<ReturnType<typeof c.getRole>>["Role"];
      try {
        role = (await c.getRole({ RoleName })).Role;
      } catch (e) {
        if (isServiceError(e) && e.code === "NoSuchEntity") return undefined;
        throw e;
      }
      // IAM answers policy documents URL-encoded, as its query API does.
      const json = (d: string | undefined) => (d === undefined ? undefined : JSON.parse(decodeURIComponent(d)));
      const model: Record<string, unknown> = {
        RoleName,
        Arn: role.Arn,
        RoleId: role.RoleId,
        Path: role.Path,
        AssumeRolePolicyDocument: json(role.AssumeRolePolicyDocument),
        MaxSessionDuration: role.MaxSessionDuration ?? 3600,
      };
      if (role.Description) model.Description = role.Description;
      if (role.PermissionsBoundary?.PermissionsBoundaryArn) model.PermissionsBoundary = role.PermissionsBoundary.PermissionsBoundaryArn;
      const attached = (await c.listAttachedRolePolicies({ RoleName })).AttachedPolicies ?? [];
      if (attached.length) model.ManagedPolicyArns = attached.map((a) => a.PolicyArn);
      const names = (await c.listRolePolicies({ RoleName })).PolicyNames ?? [];
      if (names.length) {
        model.Policies = [];
        for (const PolicyName of names) {
          const { PolicyDocument } = await c.getRolePolicy({ RoleName, PolicyName });
          (model.Policies as unknown[]).push({ PolicyName, PolicyDocument: json(PolicyDocument) });
        }
      }
      const tags = (await c.listRoleTags({ RoleName })).Tags ?? [];
      if (tags.length) model.Tags = tags.map((t) => ({ Key: t.Key, Value: t.Value }));
      return model;
    },
    async list(ctx) {
      const names: string[] = [];
      let Marker: string | undefined;
      do {
        const page = await ctx.client("iam").listRoles({ Marker });
        names.push(...page.Roles.map((r) => r.RoleName));
        Marker = page.IsTruncated ? page.Marker : undefined;
      } while (Marker);
      return names;
    },
    async create(req) {
      const p = req.properties;
      const name = (p.RoleName as string | undefined) ?? req.generateName(64);
      await iam(req).createRole({
        RoleName: name,
        Path: p.Path as string | undefined,
        AssumeRolePolicyDocument: doc(p.AssumeRolePolicyDocument),
        Description: p.Description as string | undefined,
        MaxSessionDuration: num(p.MaxSessionDuration),
        PermissionsBoundary: p.PermissionsBoundary as string | undefined,
        Tags: tagsOf(p),
      });
      await grant(req, "Role", name, strings(p.ManagedPolicyArns), inline(p.Policies));
      return roleResult(req, name);
    },
    async update(req) {
      const c = iam(req);
      const p = req.properties;
      const RoleName = req.physicalId;
      await c.updateRole({ RoleName, Description: (p.Description as string | undefined) ?? "", MaxSessionDuration: num(p.MaxSessionDuration) ?? 3600 });
      if (doc(p.AssumeRolePolicyDocument) !== doc(req.previous.AssumeRolePolicyDocument)) {
        await c.updateAssumeRolePolicy({ RoleName, PolicyDocument: doc(p.AssumeRolePolicyDocument) });
      }
      if (p.PermissionsBoundary !== req.previous.PermissionsBoundary) {
        if (p.PermissionsBoundary) await c.putRolePermissionsBoundary({ RoleName, PermissionsBoundary: String(p.PermissionsBoundary) });
        else await ignoringGone(() => c.deleteRolePermissionsBoundary({ RoleName }));
      }
      await regrant(req, "Role", RoleName);
      await retag(
        req,
        (Tags) => c.tagRole({ RoleName, Tags }),
        (TagKeys) => c.untagRole({ RoleName, TagKeys }),
      );
      return roleResult(req, RoleName);
    },
    async delete(req) {
      const c = iam(req);
      const RoleName = req.physicalId;
      try {
        await c.getRole({ RoleName });
      } catch (e) {
        if (isServiceError(e) && e.code === "NoSuchEntity") return;
        throw e;
      }
      await strip(req, "Role", RoleName);
      const { InstanceProfiles } = await c.listInstanceProfilesForRole({ RoleName, MaxItems: 1000 });
      for (const ip of InstanceProfiles ?? []) {
        await ignoringGone(() => c.removeRoleFromInstanceProfile({ InstanceProfileName: ip.InstanceProfileName, RoleName }));
      }
      await ignoringGone(() => c.deleteRole({ RoleName }));
    },
  },

  "AWS::IAM::Policy": {
    async create(req) {
      const p = req.properties;
      for (const [kind, names] of targets(p)) for (const n of names) await putInline(req, kind, n, String(p.PolicyName), p.PolicyDocument);
      const id = req.generateName(128);
      return { physicalId: id, ref: id, attributes: { Id: id } };
    },
    async update(req) {
      const before = targets(req.previous);
      const renamed = req.previous.PolicyName !== req.properties.PolicyName;
      for (const [i, [kind, names]] of targets(req.properties).entries()) {
        const gone = renamed ? before[i][1] : diff(before[i][1], names).removed;
        for (const n of gone) await deleteInline(req, kind, n, String(req.previous.PolicyName));
        for (const n of names) await putInline(req, kind, n, String(req.properties.PolicyName), req.properties.PolicyDocument);
      }
      return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Id: req.physicalId } };
    },
    async delete(req) {
      const p = req.properties;
      for (const [kind, names] of targets(p)) for (const n of names) await deleteInline(req, kind, n, String(p.PolicyName));
    },
  },

  "AWS::IAM::ManagedPolicy": {
    async create(req) {
      const p = req.properties;
      const c = iam(req);
      const { Policy } = await c.createPolicy({
        PolicyName: (p.ManagedPolicyName as string | undefined) ?? req.generateName(128),
        Path: p.Path as string | undefined,
        Description: p.Description as string | undefined,
        PolicyDocument: doc(p.PolicyDocument),
      });
      const arn = Policy!.Arn!;
      for (const [kind, names] of targets(p)) for (const n of names) await grant(req, kind, n, [arn], []);
      return managedPolicyResult(req, arn);
    },
    async update(req) {
      const c = iam(req);
      const PolicyArn = req.physicalId;
      if (doc(req.properties.PolicyDocument) !== doc(req.previous.PolicyDocument)) {
        // IAM keeps five versions: the oldest non-default one makes room, as CloudFormation's handler does.
        const { Versions } = await c.listPolicyVersions({ PolicyArn, MaxItems: 1000 });
        const old = (Versions ?? []).filter((v) => !v.IsDefaultVersion);
        if ((Versions ?? []).length >= 5 && old.length) await c.deletePolicyVersion({ PolicyArn, VersionId: old[old.length - 1].VersionId! });
        await c.createPolicyVersion({ PolicyArn, PolicyDocument: doc(req.properties.PolicyDocument), SetAsDefault: true });
      }
      const before = targets(req.previous);
      for (const [i, [kind, names]] of targets(req.properties).entries()) {
        const { added, removed } = diff(before[i][1], names);
        for (const n of removed) await detach(req, kind, n, PolicyArn);
        for (const n of added) await grant(req, kind, n, [PolicyArn], []);
      }
      return managedPolicyResult(req, PolicyArn);
    },
    async delete(req) {
      const c = iam(req);
      const PolicyArn = req.physicalId;
      try {
        const used = await c.listEntitiesForPolicy({ PolicyArn, MaxItems: 1000 });
        for (const r of used.PolicyRoles ?? []) await detach(req, "Role", r.RoleName!, PolicyArn);
        for (const u of used.PolicyUsers ?? []) await detach(req, "User", u.UserName!, PolicyArn);
        for (const g of used.PolicyGroups ?? []) await detach(req, "Group", g.GroupName!, PolicyArn);
        const { Versions } = await c.listPolicyVersions({ PolicyArn, MaxItems: 1000 });
        for (const v of Versions ?? []) if (!v.IsDefaultVersion) await c.deletePolicyVersion({ PolicyArn, VersionId: v.VersionId! });
        await c.deletePolicy({ PolicyArn });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "NoSuchEntity")) throw e;
      }
    },
  },

  "AWS::IAM::User": {
    async create(req) {
      const p = req.properties;
      const c = iam(req);
      const UserName = (p.UserName as string | undefined) ?? req.generateName(64);
      await c.createUser({ UserName, Path: p.Path as string | undefined, PermissionsBoundary: p.PermissionsBoundary as string | undefined, Tags: tagsOf(p) });
      for (const g of strings(p.Groups)) await c.addUserToGroup({ GroupName: g, UserName });
      await grant(req, "User", UserName, strings(p.ManagedPolicyArns), inline(p.Policies));
      const login = p.LoginProfile as { Password: string; PasswordResetRequired?: boolean } | undefined;
      if (login) await c.createLoginProfile({ UserName, Password: String(login.Password), PasswordResetRequired: login.PasswordResetRequired === true });
      return userResult(req, UserName);
    },
    async update(req) {
      const c = iam(req);
      const p = req.properties;
      const UserName = req.physicalId;
      if ((p.Path ?? "/") !== (req.previous.Path ?? "/")) await c.updateUser({ UserName, NewPath: String(p.Path ?? "/") });
      if (p.PermissionsBoundary !== req.previous.PermissionsBoundary) {
        if (p.PermissionsBoundary) await c.putUserPermissionsBoundary({ UserName, PermissionsBoundary: String(p.PermissionsBoundary) });
        else await ignoringGone(() => c.deleteUserPermissionsBoundary({ UserName }));
      }
      const groups = diff(strings(req.previous.Groups), strings(p.Groups));
      for (const g of groups.removed) await ignoringGone(() => c.removeUserFromGroup({ GroupName: g, UserName }));
      for (const g of groups.added) await c.addUserToGroup({ GroupName: g, UserName });
      await regrant(req, "User", UserName);
      const login = p.LoginProfile as { Password: string; PasswordResetRequired?: boolean } | undefined;
      if (!login && req.previous.LoginProfile) await ignoringGone(() => c.deleteLoginProfile({ UserName }));
      else if (login && !req.previous.LoginProfile) {
        await c.createLoginProfile({ UserName, Password: String(login.Password), PasswordResetRequired: login.PasswordResetRequired === true });
      } else if (login && JSON.stringify(login) !== JSON.stringify(req.previous.LoginProfile)) {
        await c.updateLoginProfile({ UserName, Password: String(login.Password), PasswordResetRequired: login.PasswordResetRequired === true });
      }
      await retag(
        req,
        (Tags) => c.tagUser({ UserName, Tags }),
        (TagKeys) => c.untagUser({ UserName, TagKeys }),
      );
      return userResult(req, UserName);
    },
    async delete(req) {
      const c = iam(req);
      const UserName = req.physicalId;
      try {
        await c.getUser({ UserName });
      } catch (e) {
        if (isServiceError(e) && e.code === "NoSuchEntity") return;
        throw e;
      }
      await ignoringGone(() => c.deleteLoginProfile({ UserName }));
      const { Groups } = await c.listGroupsForUser({ UserName, MaxItems: 1000 });
      for (const g of Groups ?? []) await ignoringGone(() => c.removeUserFromGroup({ GroupName: g.GroupName, UserName }));
      await strip(req, "User", UserName);
      await ignoringGone(() => c.deleteUser({ UserName }));
    },
  },

  "AWS::IAM::Group": {
    async create(req) {
      const p = req.properties;
      const GroupName = (p.GroupName as string | undefined) ?? req.generateName(128);
      await iam(req).createGroup({ GroupName, Path: p.Path as string | undefined });
      await grant(req, "Group", GroupName, strings(p.ManagedPolicyArns), inline(p.Policies));
      return groupResult(req, GroupName);
    },
    async update(req) {
      const GroupName = req.physicalId;
      if ((req.properties.Path ?? "/") !== (req.previous.Path ?? "/")) await iam(req).updateGroup({ GroupName, NewPath: String(req.properties.Path ?? "/") });
      await regrant(req, "Group", GroupName);
      return groupResult(req, GroupName);
    },
    async delete(req) {
      const GroupName = req.physicalId;
      try {
        await iam(req).getGroup({ GroupName, MaxItems: 1 });
      } catch (e) {
        if (isServiceError(e) && e.code === "NoSuchEntity") return;
        throw e;
      }
      await strip(req, "Group", GroupName);
      await ignoringGone(() => iam(req).deleteGroup({ GroupName }));
    },
  },

  "AWS::IAM::UserToGroupAddition": {
    async create(req) {
      const GroupName = String(req.properties.GroupName);
      for (const u of strings(req.properties.Users)) await iam(req).addUserToGroup({ GroupName, UserName: u });
      const id = req.generateName(128);
      return { physicalId: id, ref: id, attributes: { Id: id } };
    },
    async update(req) {
      const c = iam(req);
      const before = String(req.previous.GroupName);
      const after = String(req.properties.GroupName);
      const users = diff(before === after ? strings(req.previous.Users) : [], strings(req.properties.Users));
      const removed = before === after ? users.removed : strings(req.previous.Users);
      for (const u of removed) await ignoringGone(() => c.removeUserFromGroup({ GroupName: before, UserName: u }));
      for (const u of users.added) await c.addUserToGroup({ GroupName: after, UserName: u });
      return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Id: req.physicalId } };
    },
    async delete(req) {
      const GroupName = String(req.properties.GroupName);
      for (const u of strings(req.properties.Users)) await ignoringGone(() => iam(req).removeUserFromGroup({ GroupName, UserName: u }));
    },
  },

  "AWS::IAM::AccessKey": {
    async create(req) {
      const c = iam(req);
      const UserName = String(req.properties.UserName);
      const { AccessKey } = await c.createAccessKey({ UserName });
      if (req.properties.Status === "Inactive") await c.updateAccessKey({ UserName, AccessKeyId: AccessKey.AccessKeyId, Status: "Inactive" });
      const id = AccessKey.AccessKeyId;
      return { physicalId: id, ref: id, attributes: { Id: id, SecretAccessKey: AccessKey.SecretAccessKey } };
    },
    // Only Status changes in place (UserName and Serial replace the key); the secret is not readable again,
    // so the result keeps the id alone and the engine keeps the attributes it has.
    async update(req) {
      const Status = req.properties.Status === "Inactive" ? "Inactive" : "Active";
      await iam(req).updateAccessKey({ UserName: String(req.properties.UserName), AccessKeyId: req.physicalId, Status });
      return { physicalId: req.physicalId, ref: req.physicalId };
    },
    async delete(req) {
      await ignoringGone(() => iam(req).deleteAccessKey({ UserName: String(req.properties.UserName), AccessKeyId: req.physicalId }));
    },
  },

  "AWS::IAM::InstanceProfile": {
    async create(req) {
      const p = req.properties;
      const c = iam(req);
      const InstanceProfileName = (p.InstanceProfileName as string | undefined) ?? req.generateName(128);
      const { InstanceProfile } = await c.createInstanceProfile({ InstanceProfileName, Path: p.Path as string | undefined });
      for (const r of strings(p.Roles)) await c.addRoleToInstanceProfile({ InstanceProfileName, RoleName: r });
      return { physicalId: InstanceProfileName, ref: InstanceProfileName, attributes: { Arn: InstanceProfile.Arn } };
    },
    async update(req) {
      const c = iam(req);
      const InstanceProfileName = req.physicalId;
      const { removed, added } = diff(strings(req.previous.Roles), strings(req.properties.Roles));
      for (const r of removed) await ignoringGone(() => c.removeRoleFromInstanceProfile({ InstanceProfileName, RoleName: r }));
      for (const r of added) await c.addRoleToInstanceProfile({ InstanceProfileName, RoleName: r });
      const { InstanceProfile } = await c.getInstanceProfile({ InstanceProfileName });
      return { physicalId: InstanceProfileName, ref: InstanceProfileName, attributes: { Arn: InstanceProfile.Arn } };
    },
    async delete(req) {
      const c = iam(req);
      const InstanceProfileName = req.physicalId;
      try {
        const { InstanceProfile } = await c.getInstanceProfile({ InstanceProfileName });
        for (const r of InstanceProfile.Roles ?? []) {
          await ignoringGone(() => c.removeRoleFromInstanceProfile({ InstanceProfileName, RoleName: r.RoleName }));
        }
        await c.deleteInstanceProfile({ InstanceProfileName });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "NoSuchEntity")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
