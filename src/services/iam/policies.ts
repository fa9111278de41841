// Customer managed policies and their versions (five at most, one default), tags, and the account-wide listing.
import type { HandlerContext } from "../../core/context.js";
import type { IamApi } from "./api.generated.js";
import { DeleteConflictException, EntityAlreadyExistsException, LimitExceededException, NoSuchEntityException } from "./api.generated.js";
import { encodeDocument, mergeTags, newId, page, removeTags, toDate, underPath } from "./common.js";
import { AWS_MANAGED } from "./aws-managed.js";
import { attachments } from "./links.js";
import { partitionOf } from "../../core/arn.js";
import { checkPolicyDocument, checkPolicySize } from "./policy-grammar.js";
import { findPolicy, mustAttachablePolicy, mustOwnPolicy, policyArn, policyOut, viewOf, type PolicyView } from "./policy-store.js";
import type { PolicyRec } from "./state.js";
import { k, nameKey, tables } from "./state.js";

const MAX_VERSIONS = 5;

function checkManagedDocument(doc: string, ctx: HandlerContext) {
  checkPolicyDocument(doc, "managed", partitionOf(ctx.region));
  checkPolicySize(doc, "PolicySize", 6144);
}

const savePolicy = (ctx: HandlerContext, rec: PolicyRec) => tables(ctx).policies.put(nameKey(rec.name), rec);

const noVersion = (arn: string, v: string) => new NoSuchEntityException(`Policy ${arn} version ${v} does not exist or is not attachable.`);

export const policies = {
  createPolicy({ PolicyName, Path = "/", PolicyDocument, Description, Tags }, ctx) {
    checkManagedDocument(PolicyDocument, ctx);
    const now = ctx.now();
    const rec: PolicyRec = {
      name: PolicyName,
      id: newId("ANPA"),
      path: Path,
      createDate: now,
      updateDate: now,
      description: Description,
      defaultVersion: "v1",
      nextVersion: 2,
      versions: [{ id: "v1", document: PolicyDocument, createDate: now }],
      tags: mergeTags([], Tags, "policy"),
    };
    const t = tables(ctx);
    if (!t.policies.insert(nameKey(PolicyName), rec)) {
      throw new EntityAlreadyExistsException(`A policy called ${PolicyName} already exists. Duplicate names are not allowed.`);
    }
    return { Policy: policyOut(t, viewOf(ctx.account, rec), true) };
  },

  getPolicy({ PolicyArn }, ctx) {
    const p = findPolicy(ctx, PolicyArn);
    if (!p) throw new NoSuchEntityException(`Policy ${PolicyArn} was not found.`);
    return { Policy: policyOut(tables(ctx), p, true) };
  },

  listPolicies({ Scope = "All", OnlyAttached, PathPrefix, Marker, MaxItems }, ctx) {
    const t = tables(ctx);
    const views: { key: string; value: PolicyView }[] = [];
    if (Scope !== "Local") for (const p of AWS_MANAGED) views.push({ key: k("aws", p.name.toLowerCase()), value: { ...p, defaultVersion: p.versionId } });
    if (Scope !== "AWS") for (const e of t.policies.list()) views.push({ key: k("local", e.key), value: viewOf(ctx.account, e.value) });
    const shown = views.filter((v) => underPath(v.value.path, PathPrefix) && (!OnlyAttached || attachments.count(t, v.value.arn) > 0));
    const p = page(ctx.operation, shown, Marker, MaxItems);
    return { Policies: p.items.map((v) => policyOut(t, v)), IsTruncated: p.IsTruncated, Marker: p.Marker };
  },

  deletePolicy({ PolicyArn }, ctx) {
    const rec = mustOwnPolicy(ctx, PolicyArn);
    const t = tables(ctx);
    if (attachments.count(t, PolicyArn) > 0) throw new DeleteConflictException("Cannot delete a policy attached to entities.");
    if (rec.versions.length > 1) {
      throw new DeleteConflictException(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
    }
    t.policies.delete(nameKey(rec.name));
    return {};
  },

  createPolicyVersion({ PolicyArn, PolicyDocument, SetAsDefault }, ctx) {
    const rec = mustOwnPolicy(ctx, PolicyArn);
    checkManagedDocument(PolicyDocument, ctx);
    if (rec.versions.length >= MAX_VERSIONS) {
      throw new LimitExceededException("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");
    }
    const now = ctx.now();
    const version = { id: `v${rec.nextVersion}`, document: PolicyDocument, createDate: now };
    savePolicy(ctx, {
      ...rec,
      nextVersion: rec.nextVersion + 1,
      versions: [...rec.versions, version],
      defaultVersion: SetAsDefault ? version.id : rec.defaultVersion,
      updateDate: SetAsDefault ? now : rec.updateDate,
    });
    return { PolicyVersion: { VersionId: version.id, IsDefaultVersion: !!SetAsDefault, CreateDate: toDate(now) } };
  },

  getPolicyVersion({ PolicyArn, VersionId }, ctx) {
    const p = findPolicy(ctx, PolicyArn);
    if (!p) throw noVersion(PolicyArn, VersionId);
    const versions = p.rec?.versions ?? [{ id: p.defaultVersion, document: AWS_MANAGED.find((a) => a.arn === p.arn)!.document, createDate: p.createDate }];
    const v = versions.find((x) => x.id === VersionId);
    if (!v) throw noVersion(PolicyArn, VersionId);
    return {
      PolicyVersion: { Document: encodeDocument(v.document), VersionId: v.id, IsDefaultVersion: v.id === p.defaultVersion, CreateDate: toDate(v.createDate) },
    };
  },

  listPolicyVersions({ PolicyArn, Marker, MaxItems }, ctx) {
    const p = mustAttachablePolicy(ctx, PolicyArn);
    const versions = p.rec?.versions ?? [{ id: p.defaultVersion, document: "", createDate: p.createDate }];
    // Newest first, as AWS lists them; the key orders by descending version number.
    const entries = versions.map((v) => ({ key: String(1e6 - Number(v.id.slice(1))).padStart(7, "0"), value: v })).sort((a, b) => (a.key < b.key ? -1 : 1));
    const pg = page(ctx.operation, entries, Marker, MaxItems);
    return {
      Versions: pg.items.map((v) => ({ VersionId: v.id, IsDefaultVersion: v.id === p.defaultVersion, CreateDate: toDate(v.createDate) })),
      IsTruncated: pg.IsTruncated,
      Marker: pg.Marker,
    };
  },

  setDefaultPolicyVersion({ PolicyArn, VersionId }, ctx) {
    const rec = mustOwnPolicy(ctx, PolicyArn);
    if (!rec.versions.some((v) => v.id === VersionId)) throw noVersion(PolicyArn, VersionId);
    savePolicy(ctx, { ...rec, defaultVersion: VersionId, updateDate: ctx.now() });
    return {};
  },

  deletePolicyVersion({ PolicyArn, VersionId }, ctx) {
    const rec = mustOwnPolicy(ctx, PolicyArn);
    if (!rec.versions.some((v) => v.id === VersionId)) throw noVersion(PolicyArn, VersionId);
    if (rec.defaultVersion === VersionId) throw new DeleteConflictException("Cannot delete the default version of a policy.");
    savePolicy(ctx, { ...rec, versions: rec.versions.filter((v) => v.id !== VersionId) });
    return {};
  },

  tagPolicy({ PolicyArn, Tags }, ctx) {
    const rec = mustOwnPolicy(ctx, PolicyArn);
    savePolicy(ctx, { ...rec, tags: mergeTags(rec.tags, Tags, "policy") });
    return {};
  },

  untagPolicy({ PolicyArn, TagKeys }, ctx) {
    const rec = mustOwnPolicy(ctx, PolicyArn);
    savePolicy(ctx, { ...rec, tags: removeTags(rec.tags, TagKeys) });
    return {};
  },

  listPolicyTags({ PolicyArn, Marker, MaxItems }, ctx) {
    const rec = mustOwnPolicy(ctx, PolicyArn);
    const p = page(
      ctx.operation,
      rec.tags.map((tag, i) => ({ key: String(i).padStart(4, "0"), value: tag })),
      Marker,
      MaxItems,
    );
    return { Tags: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
  },
} satisfies Partial<IamApi>;
