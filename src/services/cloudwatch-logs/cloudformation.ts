// AWS::Logs::LogGroup, LogStream, SubscriptionFilter and MetricFilter for CloudFormation (core/resources.ts),
// through CloudWatch Logs' own operations. Return values as the resource reference documents them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html#aws-resource-logs-loggroup-return-values,
// .../aws-resource-logs-logstream.html): a log group's Ref is its name and GetAtt Arn its ARN with Logs' `:*`
// suffix (arn:aws:logs:<region>:<account>:log-group:<name>:*); a log stream's Ref is its name; a subscription
// filter's Ref is its name (the registry schema's cfnRefIdentifier, FilterName), and so is a metric filter's. Names the template
// leaves out are `<stack>-<logicalId>-<RANDOM>` (512 characters at most). Properties Stratus does not apply yet fail
// the resource, saying so, rather than being dropped.
import { isServiceError, ServiceError } from "../../core/errors.js";
import { type ReadRequest, type ResourceProviders, type ResourceRequest, tagsProperty } from "../../core/resources.js";
import type { Distribution, LogGroupClass, StandardUnit } from "./api.generated.js";
import { queryDefinitionProviders } from "./insights/cloudformation.js";

const GROUP_PROPS = new Set(["LogGroupName", "RetentionInDays", "KmsKeyId", "Tags", "LogGroupClass", "DeletionProtectionEnabled"]);

function refuseUnsupported(type: string, props: Record<string, unknown>, supported: Set<string>): void {
  const extra = Object.keys(props).filter((k) => !supported.has(k));
  if (extra.length) throw new ServiceError("InvalidRequest", `Stratus does not implement ${type} properties ${extra.join(", ")} yet.`, 400);
}

const tagsOf = (props: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(((props.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).map((t) => [t.Key, String(t.Value)]));

async function groupResult(req: ResourceRequest, name: string) {
  const { logGroups } = await req.ctx.client("cloudwatch-logs").describeLogGroups({ logGroupNamePrefix: name });
  const arn = logGroups?.find((g) => g.logGroupName === name)?.arn;
  return { physicalId: name, ref: name, attributes: { Arn: arn } };
}

const notFound = (e: unknown) => {
  if (!(isServiceError(e) && e.code === "ResourceNotFoundException")) throw e;
};

/** Every log group whose name starts with `prefix` (all of them without one), across DescribeLogGroups' pages. */
async function groups(ctx: ReadRequest["ctx"], prefix?: string) {
  const out = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.client("cloudwatch-logs").describeLogGroups({ logGroupNamePrefix: prefix, nextToken });
    out.push(...(page.logGroups ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export default {
  ...queryDefinitionProviders,
  "AWS::Logs::LogGroup": {
    async read({ ctx, physicalId: name }) {
      const g = (await groups(ctx, name)).find((x) => x.logGroupName === name);
      if (!g) return undefined;
      const model: Record<string, unknown> = { LogGroupName: name, Arn: g.arn, LogGroupClass: g.logGroupClass ?? "STANDARD" };
      if (g.retentionInDays !== undefined) model.RetentionInDays = g.retentionInDays;
      if (g.kmsKeyId !== undefined) model.KmsKeyId = g.kmsKeyId;
      if (g.deletionProtectionEnabled !== undefined) model.DeletionProtectionEnabled = g.deletionProtectionEnabled;
      const tags = (await ctx.client("cloudwatch-logs").listTagsForResource({ resourceArn: String(g.arn).replace(/:\*$/, "") })).tags ?? {};
      Object.assign(model, tagsProperty(tags));
      return model;
    },
    async list(ctx) {
      return (await groups(ctx)).flatMap((g) => (g.logGroupName ? [g.logGroupName] : []));
    },
    async create(req) {
      const p = req.properties;
      refuseUnsupported("AWS::Logs::LogGroup", p, GROUP_PROPS);
      const logs = req.ctx.client("cloudwatch-logs");
      const name = (p.LogGroupName as string | undefined) ?? req.generateName(512);
      const tags = tagsOf(p);
      await logs.createLogGroup({
        logGroupName: name,
        kmsKeyId: p.KmsKeyId as string | undefined,
        tags: Object.keys(tags).length ? tags : undefined,
        logGroupClass: p.LogGroupClass as LogGroupClass | undefined,
        deletionProtectionEnabled:
          p.DeletionProtectionEnabled === undefined ? undefined : p.DeletionProtectionEnabled === true || p.DeletionProtectionEnabled === "true",
      });
      if (p.RetentionInDays !== undefined) await logs.putRetentionPolicy({ logGroupName: name, retentionInDays: Number(p.RetentionInDays) });
      return groupResult(req, name);
    },
    async update(req) {
      const p = req.properties;
      const prev = req.previous;
      refuseUnsupported("AWS::Logs::LogGroup", p, GROUP_PROPS);
      // LogGroupClass cannot change on a log group: a new one replaces it.
      if (p.LogGroupClass !== prev.LogGroupClass)
        throw new ServiceError("InvalidRequest", "Stratus cannot change LogGroupClass in place; rename the log group to replace it.", 400);
      const logs = req.ctx.client("cloudwatch-logs");
      const name = req.physicalId;
      if (p.RetentionInDays !== prev.RetentionInDays) {
        if (p.RetentionInDays === undefined) await logs.deleteRetentionPolicy({ logGroupName: name });
        else await logs.putRetentionPolicy({ logGroupName: name, retentionInDays: Number(p.RetentionInDays) });
      }
      if (p.KmsKeyId !== prev.KmsKeyId) {
        if (p.KmsKeyId === undefined) await logs.disassociateKmsKey({ logGroupName: name });
        else await logs.associateKmsKey({ logGroupName: name, kmsKeyId: String(p.KmsKeyId) });
      }
      if (p.DeletionProtectionEnabled !== prev.DeletionProtectionEnabled) {
        await logs.putLogGroupDeletionProtection({
          logGroupIdentifier: name,
          deletionProtectionEnabled: p.DeletionProtectionEnabled === true || p.DeletionProtectionEnabled === "true",
        });
      }
      const result = await groupResult(req, name);
      const arn = String(result.attributes.Arn).replace(/:\*$/, "");
      const before = tagsOf(prev);
      const after = tagsOf(p);
      const gone = Object.keys(before).filter((k) => !(k in after));
      if (gone.length) await logs.untagResource({ resourceArn: arn, tagKeys: gone });
      if (Object.keys(after).length) await logs.tagResource({ resourceArn: arn, tags: after });
      return result;
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch-logs").deleteLogGroup({ logGroupName: req.physicalId });
      } catch (e) {
        notFound(e);
      }
    },
  },
  "AWS::Logs::LogStream": {
    async create(req) {
      const logGroupName = String(req.properties.LogGroupName);
      const name = (req.properties.LogStreamName as string | undefined) ?? req.generateName(512);
      await req.ctx.client("cloudwatch-logs").createLogStream({ logGroupName, logStreamName: name });
      return { physicalId: name, ref: name };
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch-logs").deleteLogStream({ logGroupName: String(req.properties.LogGroupName), logStreamName: req.physicalId });
      } catch (e) {
        notFound(e);
      }
    },
  },
  "AWS::Logs::SubscriptionFilter": {
    async create(req) {
      const p = req.properties;
      refuseUnsupported("AWS::Logs::SubscriptionFilter", p, FILTER_PROPS);
      const name = (p.FilterName as string | undefined) ?? req.generateName(512);
      await putFilter(req, name);
      return { physicalId: name, ref: name };
    },
    // PutSubscriptionFilter of an existing name replaces its settings; FilterName and LogGroupName are create-only
    // (the engine replaces the resource when they change).
    async update(req) {
      refuseUnsupported("AWS::Logs::SubscriptionFilter", req.properties, FILTER_PROPS);
      await putFilter(req, req.physicalId);
      return { physicalId: req.physicalId, ref: req.physicalId };
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch-logs").deleteSubscriptionFilter({ logGroupName: String(req.properties.LogGroupName), filterName: req.physicalId });
      } catch (e) {
        notFound(e);
      }
    },
  },
  "AWS::Logs::MetricFilter": {
    async create(req) {
      const name = (req.properties.FilterName as string | undefined) ?? req.generateName(512);
      await putMetricFilter(req, name);
      return { physicalId: name, ref: name };
    },
    // PutMetricFilter of an existing name replaces it; FilterName and LogGroupName are create-only.
    async update(req) {
      await putMetricFilter(req, req.physicalId);
      return { physicalId: req.physicalId, ref: req.physicalId };
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch-logs").deleteMetricFilter({ logGroupName: String(req.properties.LogGroupName), filterName: req.physicalId });
      } catch (e) {
        notFound(e);
      }
    },
  },
} satisfies ResourceProviders;

const METRIC_FILTER_PROPS = new Set([
  "FilterName",
  "LogGroupName",
  "FilterPattern",
  "MetricTransformations",
  "ApplyOnTransformedLogs",
  "FieldSelectionCriteria",
  "EmitSystemFieldDimensions",
]);

interface CfnTransformation {
  MetricName: string;
  MetricNamespace: string;
  MetricValue: string;
  DefaultValue?: number | string;
  Dimensions?: { Key: string; Value: string }[];
  Unit?: string;
}

/** The template's MetricTransformations as PutMetricFilter takes them (Dimensions: a list of Key/Value → a map). */
async function putMetricFilter(req: ResourceRequest, filterName: string): Promise<void> {
  const p = req.properties;
  refuseUnsupported("AWS::Logs::MetricFilter", p, METRIC_FILTER_PROPS);
  const transformations = (p.MetricTransformations as CfnTransformation[]).map((t) => ({
    metricName: t.MetricName,
    metricNamespace: t.MetricNamespace,
    metricValue: String(t.MetricValue),
    ...(t.DefaultValue !== undefined ? { defaultValue: Number(t.DefaultValue) } : {}),
    ...(t.Dimensions?.length ? { dimensions: Object.fromEntries(t.Dimensions.map((d) => [d.Key, d.Value])) } : {}),
    ...(t.Unit !== undefined ? { unit: t.Unit as StandardUnit } : {}),
  }));
  await req.ctx.client("cloudwatch-logs").putMetricFilter({
    logGroupName: String(p.LogGroupName),
    filterName,
    filterPattern: String(p.FilterPattern ?? ""),
    metricTransformations: transformations,
    applyOnTransformedLogs: p.ApplyOnTransformedLogs === undefined ? undefined : p.ApplyOnTransformedLogs === true || p.ApplyOnTransformedLogs === "true",
    fieldSelectionCriteria: p.FieldSelectionCriteria as string | undefined,
    emitSystemFieldDimensions: p.EmitSystemFieldDimensions as string[] | undefined,
  });
}

const FILTER_PROPS = new Set(["FilterName", "LogGroupName", "FilterPattern", "DestinationArn", "RoleArn", "Distribution", "ApplyOnTransformedLogs"]);

async function putFilter(req: ResourceRequest, filterName: string): Promise<void> {
  const p = req.properties;
  await req.ctx.client("cloudwatch-logs").putSubscriptionFilter({
    logGroupName: String(p.LogGroupName),
    filterName,
    filterPattern: String(p.FilterPattern ?? ""),
    destinationArn: String(p.DestinationArn),
    roleArn: p.RoleArn as string | undefined,
    distribution: p.Distribution as Distribution | undefined,
    applyOnTransformedLogs: p.ApplyOnTransformedLogs === undefined ? undefined : p.ApplyOnTransformedLogs === true || p.ApplyOnTransformedLogs === "true",
  });
}
