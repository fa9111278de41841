// Finding managed policies by ARN — the account's own and AWS's catalog — and shaping them as IAM returns them.
import type { HandlerContext } from "../../core/context.js";
import { NoSuchEntityException } from "./api.generated.js";
import { iamArn, toDate } from "./common.js";
import { awsManagedPolicy } from "./aws-managed.js";
import { attachments } from "./links.js";
import type { PolicyRec, Tables } from "./state.js";
import { nameKey, tables } from "./state.js";

export interface PolicyView {
  arn: string;
  name: string;
  path: string;
  id: string;
  description?: string;
  defaultVersion: string;
  createDate: number;
  updateDate: number;
  /** Set for the account's own policies; AWS managed ones are read-only. */
  rec?: PolicyRec;
}

export const policyArn = (account: string, p: { path: string; name: string }) => iamArn(account, "policy", p.path, p.name);

const ARN = /^arn:[\w-]+:iam::(\d{12}|aws):policy(\/(?:.*\/)?)([^/]+)$/;

export const notAttachable = (arn: string) => new NoSuchEntityException(`Policy ${arn} does not exist or is not attachable.`);

/** An account policy as IAM shows it. */
export const viewOf = (account: string, rec: PolicyRec): PolicyView => ({
  arn: policyArn(account, rec),
  name: rec.name,
  path: rec.path,
  id: rec.id,
  description: rec.description,
  defaultVersion: rec.defaultVersion,
  createDate: rec.createDate,
  updateDate: rec.updateDate,
  rec,
});

export function findPolicy(ctx: HandlerContext, arn: string): PolicyView | undefined {
  const aws = awsManagedPolicy(arn);
  if (aws) return { ...aws, defaultVersion: aws.versionId };
  const m = ARN.exec(arn);
  if (!m || m[1] !== ctx.account) return undefined;
  const rec = tables(ctx).policies.get(nameKey(m[3]));
  if (!rec || rec.path !== m[2] || rec.name !== m[3]) return undefined;
  return viewOf(ctx.account, rec);
}

export function mustAttachablePolicy(ctx: HandlerContext, arn: string): PolicyView {
  const p = findPolicy(ctx, arn);
  if (!p) throw notAttachable(arn);
  return p;
}

/** The account's own policy (AWS managed ones cannot be changed): NoSuchEntity otherwise. */
export function mustOwnPolicy(ctx: HandlerContext, arn: string): PolicyRec {
  const p = findPolicy(ctx, arn);
  if (!p?.rec) throw new NoSuchEntityException(`Policy ${arn} was not found.`);
  return p.rec;
}

export function policyOut(t: Tables, p: PolicyView, withTags = false) {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersion,
    AttachmentCount: attachments.count(t, p.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(p.description !== undefined ? { Description: p.description } : {}),
    CreateDate: toDate(p.createDate),
    UpdateDate: toDate(p.updateDate),
    ...(withTags && p.rec?.tags.length ? { Tags: p.rec.tags } : {}),
  };
}
