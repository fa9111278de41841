// AWS::CloudWatch::Alarm for CloudFormation (core/resources.ts), through CloudWatch's own operations: Ref is the alarm's
// name and GetAtt Arn its ARN (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html#aws-resource-cloudwatch-alarm-return-values);
// a name the template leaves out is `<stack>-<logicalId>-<RANDOM>` (255 characters at most). PutMetricAlarm replaces
// the configuration in place (AlarmName is create-only); tags change through TagResource and UntagResource, since
// PutMetricAlarm ignores them on an existing alarm.
import { anomalyDetectorProviders } from "./cloudformation-anomaly.js";
import { dashboardProviders } from "./cloudformation-dashboard.js";
import { syncTags } from "./cloudformation-tags.js";
import compositeAlarmProviders from "./composite-cloudformation.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ReadRequest, ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { ComparisonOperator, Dimension, MetricDataQuery, MetricStat, PutMetricAlarmInput, StandardUnit, Statistic, Tag } from "./api.generated.js";

const ALARM_PROPS = new Set([
  "AlarmName",
  "AlarmDescription",
  "ActionsEnabled",
  "OKActions",
  "AlarmActions",
  "InsufficientDataActions",
  "MetricName",
  "Namespace",
  "Statistic",
  "ExtendedStatistic",
  "Dimensions",
  "Period",
  "Unit",
  "EvaluationPeriods",
  "DatapointsToAlarm",
  "Threshold",
  "ComparisonOperator",
  "TreatMissingData",
  "EvaluateLowSampleCountPercentile",
  "Metrics",
  "ThresholdMetricId",
  "Tags",
]);

const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === "true");

function putInput(name: string, p: Record<string, unknown>): PutMetricAlarmInput {
  const extra = Object.keys(p).filter((k) => !ALARM_PROPS.has(k));
  if (extra.length) throw new ServiceError("InvalidRequest", `Stratus does not implement AWS::CloudWatch::Alarm properties ${extra.join(", ")} yet.`, 400);
  return {
    AlarmName: name,
    AlarmDescription: p.AlarmDescription as string | undefined,
    ActionsEnabled: bool(p.ActionsEnabled),
    OKActions: p.OKActions as string[] | undefined,
    AlarmActions: p.AlarmActions as string[] | undefined,
    InsufficientDataActions: p.InsufficientDataActions as string[] | undefined,
    MetricName: p.MetricName as string | undefined,
    Namespace: p.Namespace as string | undefined,
    Statistic: p.Statistic as Statistic | undefined,
    ExtendedStatistic: p.ExtendedStatistic as string | undefined,
    Dimensions: p.Dimensions as Dimension[] | undefined,
    Period: num(p.Period),
    Unit: p.Unit as StandardUnit | undefined,
    EvaluationPeriods: num(p.EvaluationPeriods),
    DatapointsToAlarm: num(p.DatapointsToAlarm),
    Threshold: num(p.Threshold),
    ComparisonOperator: p.ComparisonOperator as ComparisonOperator | undefined,
    TreatMissingData: p.TreatMissingData as string | undefined,
    EvaluateLowSampleCountPercentile: p.EvaluateLowSampleCountPercentile as string | undefined,
    Metrics: metrics(p.Metrics),
    ThresholdMetricId: p.ThresholdMetricId as string | undefined,
    Tags: p.Tags as Tag[] | undefined,
  };
}

/** A template's Metrics (MetricDataQuery) with its numbers and booleans as the API takes them. */
function metrics(v: unknown): MetricDataQuery[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return (v as Record<string, unknown>[]).map((q) => {
    const out = { ...q } as unknown as MetricDataQuery;
    if (q.ReturnData !== undefined) out.ReturnData = bool(q.ReturnData);
    if (q.Period !== undefined) out.Period = num(q.Period);
    const ms = q.MetricStat as Record<string, unknown> | undefined;
    if (ms) out.MetricStat = { ...(ms as unknown as MetricStat), Period: num(ms.Period)! };
    return out;
  });
}

async function result(req: ResourceRequest, name: string) {
  const { MetricAlarms = [] } = await req.ctx.client("cloudwatch").describeAlarms({ AlarmNames: [name] });
  return { physicalId: name, ref: name, attributes: { Arn: MetricAlarms[0]?.AlarmArn } };
}

export default {
  ...dashboardProviders,
  ...anomalyDetectorProviders,
  ...compositeAlarmProviders,
  "AWS::CloudWatch::Alarm": {
    async create(req) {
      const name = (req.properties.AlarmName as string | undefined) ?? req.generateName(255);
      await req.ctx.client("cloudwatch").putMetricAlarm(putInput(name, req.properties));
      return result(req, name);
    },
    async update(req) {
      const cw = req.ctx.client("cloudwatch");
      await cw.putMetricAlarm(putInput(req.physicalId, req.properties));
      const r = await result(req, req.physicalId);
      if (r.attributes.Arn) await syncTags(req, r.attributes.Arn);
      return r;
    },
    async read(req: ReadRequest) {
      const { MetricAlarms = [] } = await req.ctx.client("cloudwatch").describeAlarms({ AlarmNames: [req.physicalId] });
      const a = MetricAlarms[0];
      if (!a) return undefined;
      const out: Record<string, unknown> = {
        AlarmName: a.AlarmName,
        Arn: a.AlarmArn,
        ActionsEnabled: a.ActionsEnabled,
        OKActions: a.OKActions,
        AlarmActions: a.AlarmActions,
        InsufficientDataActions: a.InsufficientDataActions,
        MetricName: a.MetricName,
        Namespace: a.Namespace,
        Dimensions: a.Dimensions,
        Period: a.Period,
        EvaluationPeriods: a.EvaluationPeriods,
        Threshold: a.Threshold,
        ComparisonOperator: a.ComparisonOperator,
      };
      for (const [k, v] of Object.entries({
        AlarmDescription: a.AlarmDescription,
        Statistic: a.Statistic,
        ExtendedStatistic: a.ExtendedStatistic,
        Unit: a.Unit,
        DatapointsToAlarm: a.DatapointsToAlarm,
        TreatMissingData: a.TreatMissingData,
        EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile,
      }))
        if (v !== undefined) out[k] = v;
      return out;
    },
    notRead: ["Tags", "Metrics", "ThresholdMetricId"],
    async list(ctx) {
      const out: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ctx.client("cloudwatch").describeAlarms({ NextToken, MaxRecords: 100 });
        out.push(...(page.MetricAlarms ?? []).map((a) => a.AlarmName!));
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch").deleteAlarms({ AlarmNames: [req.physicalId] });
      } catch (e) {
        if (!(isServiceError(e) && e.code === "ResourceNotFound")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
