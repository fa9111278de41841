// AWS::CloudTrail::Trail for CloudFormation (core/resources.ts), through CloudTrail's own operations: CreateTrail, then
// PutEventSelectors / PutInsightSelectors and StartLogging or StopLogging per IsLogging. Ref is the trail's name; GetAtt:
// Arn, SnsTopicArn. A trail the template does not name gets `<stack>-<logicalId>-<RANDOM>`.
import { isServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { AdvancedEventSelector, EventSelector, InsightSelector, Tag } from "./api.generated.js";

const bool = (v: unknown) => (v === undefined ? undefined : v === true || v === "true");

function config(p: Record<string, unknown>) {
  return {
    S3BucketName: p.S3BucketName as string,
    S3KeyPrefix: p.S3KeyPrefix as string | undefined,
    SnsTopicName: p.SnsTopicName as string | undefined,
    IncludeGlobalServiceEvents: bool(p.IncludeGlobalServiceEvents),
    IsMultiRegionTrail: bool(p.IsMultiRegionTrail),
    EnableLogFileValidation: bool(p.EnableLogFileValidation),
    CloudWatchLogsLogGroupArn: p.CloudWatchLogsLogGroupArn as string | undefined,
    CloudWatchLogsRoleArn: p.CloudWatchLogsRoleArn as string | undefined,
    KmsKeyId: p.KMSKeyId as string | undefined,
    IsOrganizationTrail: bool(p.IsOrganizationTrail),
  };
}

async function settle(req: ResourceRequest, name: string): Promise<{ physicalId: string; ref: string; attributes: Record<string, unknown> }> {
  const ct = req.ctx.client("cloudtrail");
  const p = req.properties;
  const advanced = p.AdvancedEventSelectors as AdvancedEventSelector[] | undefined;
  const basic = p.EventSelectors as EventSelector[] | undefined;
  if (advanced?.length) await ct.putEventSelectors({ TrailName: name, AdvancedEventSelectors: advanced });
  else if (basic?.length || req.previous?.EventSelectors || req.previous?.AdvancedEventSelectors) {
    await ct.putEventSelectors({ TrailName: name, EventSelectors: basic?.length ? basic : [{ ReadWriteType: "All", IncludeManagementEvents: true }] });
  }
  const insights = p.InsightSelectors as InsightSelector[] | undefined;
  if (insights !== undefined || req.previous?.InsightSelectors) await ct.putInsightSelectors({ TrailName: name, InsightSelectors: insights ?? [] });
  if (bool(p.IsLogging)) await ct.startLogging({ Name: name });
  else await ct.stopLogging({ Name: name });
  const t = (await ct.getTrail({ Name: name })).Trail;
  return { physicalId: name, ref: name, attributes: { Arn: t?.TrailARN, SnsTopicArn: t?.SnsTopicARN } };
}

export default {
  "AWS::CloudTrail::Trail": {
    async create(req) {
      const name = (req.properties.TrailName as string | undefined) ?? req.generateName(128);
      await req.ctx.client("cloudtrail").createTrail({ Name: name, ...config(req.properties), TagsList: req.properties.Tags as Tag[] | undefined });
      return settle(req, name);
    },
    async update(req) {
      const ct = req.ctx.client("cloudtrail");
      const name = req.physicalId;
      await ct.updateTrail({ Name: name, ...config(req.properties) });
      const arn = (await ct.getTrail({ Name: name })).Trail?.TrailARN ?? name;
      const before = (req.previous.Tags as Tag[] | undefined) ?? [];
      const after = (req.properties.Tags as Tag[] | undefined) ?? [];
      const gone = before.filter((t) => !after.some((a) => a.Key === t.Key));
      if (gone.length) await ct.removeTags({ ResourceId: arn, TagsList: gone.map((t) => ({ Key: t.Key })) });
      if (after.length) await ct.addTags({ ResourceId: arn, TagsList: after });
      return settle(req, name);
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudtrail").deleteTrail({ Name: req.physicalId });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "TrailNotFoundException")) throw e;
      }
    },
    async read({ ctx, physicalId }) {
      const ct = ctx.client("cloudtrail");
      let t: import("./api.generated.js").Trail | undefined;
      try {
        t = (await ct.getTrail({ Name: physicalId })).Trail;
      } catch (e) {
        if (isServiceError(e) && e.code === "TrailNotFoundException") return undefined;
        throw e;
      }
      const status = await ct.getTrailStatus({ Name: physicalId });
      return {
        TrailName: t?.Name,
        Arn: t?.TrailARN,
        S3BucketName: t?.S3BucketName,
        S3KeyPrefix: t?.S3KeyPrefix,
        SnsTopicName: t?.SnsTopicName,
        SnsTopicArn: t?.SnsTopicARN,
        IncludeGlobalServiceEvents: t?.IncludeGlobalServiceEvents,
        IsMultiRegionTrail: t?.IsMultiRegionTrail,
        EnableLogFileValidation: t?.LogFileValidationEnabled,
        CloudWatchLogsLogGroupArn: t?.CloudWatchLogsLogGroupArn,
        CloudWatchLogsRoleArn: t?.CloudWatchLogsRoleArn,
        KMSKeyId: t?.KmsKeyId,
        IsOrganizationTrail: t?.IsOrganizationTrail,
        IsLogging: status.IsLogging,
      };
    },
    async list(ctx) {
      return ((await ctx.client("cloudtrail").describeTrails({ includeShadowTrails: false })).trailList ?? []).flatMap((t) => (t.Name ? [t.Name] : []));
    },
  },
} satisfies ResourceProviders;
