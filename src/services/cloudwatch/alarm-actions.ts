// Alarm actions Stratus runs, on a change of state only: SNS topics (AWS's JSON alarm message, subject
// `ALARM: "name" in US East (N. Virginia)`) and Lambda functions (AWS's alarmData event, invoked asynchronously when
// the function's resource policy lets lambda.alarms.cloudwatch.amazonaws.com invoke it). Each outcome is an Action
// history item. The other actions AWS accepts (EC2, Auto Scaling, Systems Manager…: alarm-action-arns.ts) are recorded
// as failed actions whose error says Stratus does not run that service; Auto Scaling policies again every minute the
// alarm stays in the state, as AWS invokes them (repeatActions).
import { createHash } from "node:crypto";
import { parseArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { lambdaPermits } from "../lambda/internal.js";
import { actionKind, NOT_RUN, REPEATED } from "./alarm-action-arns.js";
import type { MetricDataQuery, StateValue } from "./api.generated.js";
import { awsJson, awsTime, Double } from "./alarm-evaluation.js";
import { addHistory } from "./alarm-history.js";
import type { AlarmRec } from "./alarm-state.js";
import { REGION_NAMES } from "./region-names.generated.js";

/** The principal an alarm invokes a function as (AWS: "Lambda alarm actions", the resource policy it needs). */
export const ALARM_PRINCIPAL = "lambda.alarms.cloudwatch.amazonaws.com";

export { checkActions } from "./alarm-action-arns.js";

/** The actions for the alarm's (new) state. */
const actionsFor = (a: AlarmRec): string[] => (a.state === "ALARM" ? a.alarmActions : a.state === "OK" ? a.okActions : a.insufficientDataActions);

/** The region's long name in AWS's notifications ("US East (N. Virginia)"), from botocore's partition data. */
export const regionName = (region: string): string => REGION_NAMES[region] ?? region;

/** The alarm's SNS message: AWS's JSON, its key order and forms (Statistic upper-cased, Unit null, dimensions as value/name). */
export function snsMessage(a: AlarmRec, account: string, region: string, old: StateValue): string {
  return awsJson({
    AlarmName: a.name,
    AlarmDescription: a.description ?? null,
    AWSAccountId: account,
    AlarmConfigurationUpdatedTimestamp: awsTime(a.configUpdated),
    NewStateValue: a.state,
    NewStateReason: a.stateReason,
    StateChangeTime: awsTime(a.stateUpdated),
    Region: regionName(region),
    AlarmArn: a.arn,
    OldStateValue: old,
    OKActions: a.okActions,
    AlarmActions: a.alarmActions,
    InsufficientDataActions: a.insufficientDataActions,
    Trigger: a.metrics ? metricsTrigger(a) : trigger(a),
  });
}

/**
 * The Trigger of an alarm given as Metrics, as AWS sent one (public code quotes it): Period, EvaluationPeriods,
 * ComparisonOperator, Threshold, TreatMissingData, EvaluateLowSampleCountPercentile, then Metrics with their keys in
 * alphabetical order and dimensions as value/name.
 */
function metricsTrigger(a: AlarmRec): Record<string, unknown> {
  return {
    Period: a.period,
    EvaluationPeriods: a.evaluationPeriods,
    ComparisonOperator: a.comparisonOperator,
    // An anomaly detection alarm names its band instead of a threshold (unverified placement).
    ...(a.thresholdMetricId ? { ThresholdMetricId: a.thresholdMetricId } : { Threshold: new Double(a.threshold) }),
    TreatMissingData: `- TreatMissingData: ${a.treatMissingData ?? "missing"}`,
    EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile ?? "",
    Metrics: (a.metrics ?? []).map((q) => {
      const out: Record<string, unknown> = {};
      if (q.Expression !== undefined) out.Expression = q.Expression;
      out.Id = q.Id;
      if (q.Label !== undefined) out.Label = q.Label;
      if (q.MetricStat) {
        const m = q.MetricStat;
        const stat: Record<string, unknown> = {
          Metric: {
            Dimensions: (m.Metric.Dimensions ?? []).map((d) => ({ value: d.Value, name: d.Name })),
            MetricName: m.Metric.MetricName,
            Namespace: m.Metric.Namespace,
          },
          Period: m.Period,
          Stat: m.Stat,
        };
        if (m.Unit) stat.Unit = m.Unit;
        out.MetricStat = stat;
      }
      out.ReturnData = q.ReturnData ?? true;
      return out;
    }),
  };
}

/** The Trigger of a single-metric alarm. */
function trigger(a: AlarmRec): Record<string, unknown> {
  const trigger: Record<string, unknown> = { MetricName: a.metricName, Namespace: a.namespace };
  if (a.extendedStatistic) {
    trigger.StatisticType = "ExtendedStatistic"; // unverified
    trigger.ExtendedStatistic = a.extendedStatistic;
  } else {
    trigger.StatisticType = "Statistic";
    trigger.Statistic = (a.statistic ?? "Average").toUpperCase();
  }
  trigger.Unit = a.unit ?? null;
  trigger.Dimensions = a.dimensions.map((d) => ({ value: d.Value, name: d.Name }));
  trigger.Period = a.period;
  trigger.EvaluationPeriods = a.evaluationPeriods;
  if (a.datapointsToAlarm !== undefined) trigger.DatapointsToAlarm = a.datapointsToAlarm; // unverified placement
  trigger.ComparisonOperator = a.comparisonOperator;
  trigger.Threshold = new Double(a.threshold);
  // AWS writes it so: "- TreatMissingData: missing" (SNS messages AWS sent, 2021-2024, quoted in public code; older
  // ones padded the value with spaces).
  trigger.TreatMissingData = `- TreatMissingData: ${a.treatMissingData ?? "missing"}`;
  trigger.EvaluateLowSampleCountPercentile = a.evaluateLowSampleCountPercentile ?? "";
  return trigger;
}

/** The SNS subject: `ALARM: "name" in US East (N. Virginia)` (SNS subjects hold at most 100 characters). */
export const snsSubject = (a: Pick<AlarmRec, "state" | "name">, region: string): string => `${a.state}: "${a.name}" in ${regionName(region)}`.slice(0, 100);

interface OldState {
  value: StateValue;
  reason: string;
  reasonData?: string;
  at: number;
}

/** The event a Lambda alarm action receives (AWS's documented alarmData event). */
export function lambdaEvent(a: AlarmRec, account: string, region: string, old: OldState): Record<string, unknown> {
  const state = (value: StateValue, reason: string, reasonData: string | undefined, at: number) => {
    const s: Record<string, unknown> = { value, reason };
    if (reasonData) s.reasonData = reasonData;
    s.timestamp = awsTime(at);
    return s;
  };
  const dimensions = Object.fromEntries(a.dimensions.map((d) => [d.Name, d.Value]));
  const metricStat: Record<string, unknown> = {
    metric: { namespace: a.namespace, name: a.metricName, dimensions },
    period: a.period,
    stat: a.statistic ?? a.extendedStatistic,
  };
  if (a.unit) metricStat.unit = a.unit;
  const configuration: Record<string, unknown> = {};
  if (a.description) configuration.description = a.description;
  // The metric's id: a UUID AWS assigns; Stratus derives a stable one from the alarm's ARN.
  // (an alarm given as Metrics keeps its query's Id).
  const h = createHash("sha256").update(a.arn).digest("hex");
  const id = a.metrics?.[0]?.Id ?? `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  configuration.metrics = a.returnId ? (a.metrics ?? []).map(lambdaQuery) : [{ id, metricStat, returnData: true }];
  return {
    source: "aws.cloudwatch",
    alarmArn: a.arn,
    accountId: account,
    time: awsTime(a.stateUpdated),
    region,
    alarmData: {
      alarmName: a.name,
      state: state(a.state, a.stateReason, a.stateReasonData, a.stateUpdated),
      previousState: state(old.value, old.reason, old.reasonData, old.at),
      configuration,
    },
  };
}

/** A query of a metric math alarm as its Lambda event shows it (the documented event's form: id, expression or metricStat, label, returnData). */
function lambdaQuery(q: MetricDataQuery): Record<string, unknown> {
  const out: Record<string, unknown> = { id: q.Id };
  if (q.MetricStat) {
    const m = q.MetricStat;
    const stat: Record<string, unknown> = {
      metric: {
        namespace: m.Metric.Namespace,
        name: m.Metric.MetricName,
        dimensions: Object.fromEntries((m.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
      },
      period: m.Period,
      stat: m.Stat,
    };
    if (m.Unit) stat.unit = m.Unit;
    out.metricStat = stat;
  }
  if (q.Expression !== undefined) out.expression = q.Expression;
  if (q.Label !== undefined) out.label = q.Label;
  out.returnData = q.ReturnData ?? true;
  return out;
}

/**
 * The minute's repetition of the state's Auto Scaling policy actions while the alarm stays in it (AWS invokes a
 * scaling policy once a minute for as long as the alarm is in the state; the transition ran them the first time).
 */
export function repeatActions(ctx: HandlerContext, a: AlarmRec, now: number): void {
  if (!a.actionsEnabled || now - a.stateUpdated < 60_000) return;
  const arns = actionsFor(a).filter((arn) => REPEATED.has(actionKind(arn)!));
  if (arns.length) runActions(ctx, { ...a }, arns, { snsMessage: () => "", lambdaEvent: () => ({}) });
}

/** Runs the new state's actions in the background; each outcome is recorded in the alarm's history. */
export function fireActions(ctx: HandlerContext, a: AlarmRec, old: OldState): void {
  const snapshot = { ...a };
  runActions(ctx, snapshot, actionsFor(snapshot), {
    snsMessage: () => snsMessage(snapshot, ctx.account, ctx.region, old.value),
    lambdaEvent: () => lambdaEvent(snapshot, ctx.account, ctx.region, old),
  });
}

/** What an alarm (metric or composite) is, for running its actions: as it was when it changed state. */
export interface ActingAlarm {
  name: string;
  arn: string;
  state: StateValue;
  stateUpdated: number;
  /** Composite alarms' history items say so. */
  alarmType?: "CompositeAlarm";
}

/**
 * Runs `arns` in the background for an alarm that changed state: an SNS topic gets the alarm message (`build`'s) under
 * AWS's subject, a function the alarm event, invoked asynchronously once its resource policy is seen to let CloudWatch
 * Alarms invoke it. Each outcome is an Action item in the alarm's history.
 */
export function runActions(
  ctx: HandlerContext,
  alarm: ActingAlarm,
  arns: string[],
  build: { snsMessage(): string; lambdaEvent(): Record<string, unknown> },
): void {
  const account = ctx.account;
  const region = ctx.region;
  for (const arn of arns) {
    const record = (ok: boolean, data: Record<string, unknown>, error?: string) =>
      addHistory(ctx, {
        alarmName: alarm.name,
        ...(alarm.alarmType ? { alarmType: alarm.alarmType } : {}),
        timestamp: ctx.now(),
        type: "Action",
        // unverified wordings
        summary: ok ? `Successfully executed action ${arn}` : `Failed to execute action ${arn}${error ? `. Received error: "${error}"` : ""}`,
        data: JSON.stringify({ actionState: ok ? "Succeeded" : "Failed", stateUpdateTimestamp: alarm.stateUpdated, ...data }),
      });
    const run = async () => {
      const target = parseArn(arn)!;
      const kind = actionKind(arn);
      const notRun = kind && NOT_RUN[kind];
      if (notRun) {
        record(false, { error: notRun }, notRun);
        return;
      }
      if (kind === "sns") {
        const message = build.snsMessage();
        await ctx.client("sns").publish({ TopicArn: arn, Subject: snsSubject(alarm, region), Message: message }, { region: target.region });
        record(true, { notificationResource: arn, publishedMessage: message });
      } else {
        if (!lambdaPermits(ctx, arn, ALARM_PRINCIPAL, alarm.arn, account)) {
          record(false, {
            error:
              "CloudWatch Alarms is not authorized to perform: lambda:InvokeFunction on the resource because no resource-based policy allows the lambda:InvokeFunction action",
          }); // unverified wording
          return;
        }
        await ctx
          .client("lambda")
          .invoke({ FunctionName: arn, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(build.lambdaEvent())) }, { region: target.region });
        record(true, { lambdaFunction: arn });
      }
    };
    run().catch((e: Error) => {
      try {
        record(false, { error: e.message });
      } catch {
        // the store closed with the server
      }
    });
  }
}
