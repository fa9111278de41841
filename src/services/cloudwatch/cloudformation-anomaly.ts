// AWS::CloudWatch::AnomalyDetector for CloudFormation (core/resources.ts), through CloudWatch's own operations: the
// detector from its properties (SingleMetricAnomalyDetector, MetricMathAnomalyDetector or the older top-level
// Namespace/MetricName/Dimensions/Stat; Configuration with ExcludedTimeRanges and MetricTimeZone, as the template spells
// it). A detector has no name: its physical id is one CloudFormation-style generated name. Every change replaces it
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-anomalydetector.html).
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { AnomalyDetectorConfiguration, DeleteAnomalyDetectorInput, Dimension, MetricDataQuery, SingleMetricAnomalyDetector } from "./api.generated.js";

const PROPS = new Set([
  "MetricName",
  "Namespace",
  "Dimensions",
  "Stat",
  "Configuration",
  "SingleMetricAnomalyDetector",
  "MetricMathAnomalyDetector",
  "MetricCharacteristics",
]);

/** The detector the template describes, as the API names it. */
function detector(p: Record<string, unknown>): DeleteAnomalyDetectorInput {
  const extra = Object.keys(p).filter((k) => !PROPS.has(k));
  if (extra.length)
    throw new ServiceError("InvalidRequest", `Stratus does not implement AWS::CloudWatch::AnomalyDetector properties ${extra.join(", ")} yet.`, 400);
  if (p.MetricMathAnomalyDetector) {
    const queries = ((p.MetricMathAnomalyDetector as Record<string, unknown>).MetricDataQueries ?? []) as Record<string, unknown>[];
    return {
      MetricMathAnomalyDetector: {
        MetricDataQueries: queries.map((q) => {
          const out = { ...q } as unknown as MetricDataQuery;
          if (q.ReturnData !== undefined) out.ReturnData = q.ReturnData === true || q.ReturnData === "true";
          return out;
        }),
      },
    };
  }
  const s = (p.SingleMetricAnomalyDetector as SingleMetricAnomalyDetector | undefined) ?? {
    Namespace: p.Namespace as string | undefined,
    MetricName: p.MetricName as string | undefined,
    Dimensions: p.Dimensions as Dimension[] | undefined,
    Stat: p.Stat as string | undefined,
  };
  return { SingleMetricAnomalyDetector: s };
}

function configuration(v: unknown): AnomalyDetectorConfiguration | undefined {
  if (!v) return undefined;
  const c = v as { ExcludedTimeRanges?: { StartTime: string; EndTime: string }[]; MetricTimeZone?: string };
  return {
    ExcludedTimeRanges: (c.ExcludedTimeRanges ?? []).map((r) => ({ StartTime: new Date(r.StartTime), EndTime: new Date(r.EndTime) })),
    MetricTimezone: c.MetricTimeZone,
  };
}

export const anomalyDetectorProviders = {
  "AWS::CloudWatch::AnomalyDetector": {
    async create(req: ResourceRequest) {
      await req.ctx.client("cloudwatch").putAnomalyDetector({ ...detector(req.properties), Configuration: configuration(req.properties.Configuration) });
      const id = req.generateName(255);
      return { physicalId: id, ref: id };
    },
    async delete(req) {
      try {
        await req.ctx.client("cloudwatch").deleteAnomalyDetector(detector(req.properties));
      } catch (e) {
        if (!(isServiceError(e) && e.code === "ResourceNotFoundException")) throw e;
      }
    },
  },
} satisfies ResourceProviders;
