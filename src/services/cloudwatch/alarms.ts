// Metric alarms: PutMetricAlarm (AWS's checks; alarms on metric math and anomaly detection bands checked by
// alarm-metrics.ts), DescribeAlarms(ForMetric), DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions. Every change is evaluated
// at once (alarm-evaluation.ts) and acted on when the state changes (alarm-history.ts `transition`).
import type { HandlerContext } from "../../core/context.js";
import { fingerprint, pageByKey } from "../../core/paging.js";
import { transaction } from "../../core/state.js";
import {
  type CloudwatchApi,
  type DeleteAlarmsInput,
  type DescribeAlarmsForMetricInput,
  type DescribeAlarmsInput,
  type DisableAlarmActionsInput,
  type EnableAlarmActionsInput,
  InvalidFormatFault,
  InvalidNextToken,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  type MetricAlarm,
  MissingRequiredParameterException,
  type Statistic,
  type PutMetricAlarmInput,
  ResourceNotFound,
  type SetAlarmStateInput,
} from "./api.generated.js";
import { ServiceError } from "../../core/errors.js";
import { checkActions } from "./alarm-actions.js";
import { checkAlarmForm } from "./alarm-form.js";
import { alarmPeriod, checkMathAlarm, type MathAlarm, metricsRead } from "./alarm-metrics.js";
import { evaluate } from "./alarm-evaluation.js";
import { addHistory, alarmSnapshot, transition } from "./alarm-history.js";
import { type AlarmRec, alarmState, metricIndexPrefix } from "./alarm-state.js";
import { dimsKey } from "./metric-keys.js";
import { parseExtendedStatistic } from "./statistics.js";

const STATIC_OPERATORS = ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"];
const TREAT_MISSING = ["breaching", "notBreaching", "ignore", "missing"];

export const alarmArn = (ctx: HandlerContext, name: string): string => `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${name}`;
/** The alarm's keys in alarmsByMetric: its metric's, or each metric its math reads. */
const indexKeys = (a: AlarmRec): string[] =>
  a.returnId
    ? [...new Set(metricsRead(a).map((m) => metricIndexPrefix(m.namespace, m.name, m.dims) + a.name))]
    : [metricIndexPrefix(a.namespace, a.metricName, dimsKey(a.dimensions)) + a.name];

/** The alarm as DescribeAlarms answers it. */
export function toMetricAlarm(a: AlarmRec): MetricAlarm {
  const out: MetricAlarm = {
    AlarmName: a.name,
    AlarmArn: a.arn,
    AlarmDescription: a.description,
    AlarmConfigurationUpdatedTimestamp: new Date(a.configUpdated),
    ActionsEnabled: a.actionsEnabled,
    OKActions: a.okActions,
    AlarmActions: a.alarmActions,
    InsufficientDataActions: a.insufficientDataActions,
    StateValue: a.state,
    StateReason: a.stateReason,
    StateReasonData: a.stateReasonData,
    StateUpdatedTimestamp: new Date(a.stateUpdated),
    MetricName: a.metricName,
    Namespace: a.namespace,
    Statistic: a.statistic,
    ExtendedStatistic: a.extendedStatistic,
    Dimensions: a.dimensions,
    Period: a.period,
    Unit: a.unit,
    EvaluationPeriods: a.evaluationPeriods,
    DatapointsToAlarm: a.datapointsToAlarm,
    Threshold: a.thresholdMetricId ? undefined : a.threshold,
    ThresholdMetricId: a.thresholdMetricId,
    ComparisonOperator: a.comparisonOperator,
    TreatMissingData: a.treatMissingData,
    EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile,
    StateTransitionedTimestamp: new Date(a.stateTransitioned),
  };
  if (a.metrics) {
    // Given as Metrics: described as given, without the single-metric fields.
    for (const k of ["MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit"] as const) delete out[k];
    out.Metrics = a.metrics;
  }
  return out;
}

/** Evaluates the alarm now and moves it when its state changes. */
export function evaluateAndApply(ctx: HandlerContext, a: AlarmRec, now: number): void {
  const out = evaluate(ctx, a, now);
  if (out && out.state !== a.state) transaction(ctx, () => transition(ctx, a, out.state, out.reason, out.reasonData, now));
}

const BASIC_STATS = new Set<string>(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]);

/**
 * An alarm given as `Metrics` with one MetricStat query (what the CDK writes for a metric with a label) as the
 * single-metric form; the input unchanged when it has no Metrics; and for metric math (or several queries, or a
 * ThresholdMetricId) the input with what alarm-metrics.ts found: the query the alarm watches and its period.
 */
function flatten(input: PutMetricAlarmInput): { input: PutMetricAlarmInput; math?: MathAlarm } {
  checkAlarmForm(input);
  if (!input.Metrics?.length) return { input };
  const [q] = input.Metrics;
  if (input.Metrics.length !== 1 || !q.MetricStat || q.ReturnData === false || input.ThresholdMetricId !== undefined)
    return { input, math: checkMathAlarm(input) };
  const m = q.MetricStat;
  const basic = BASIC_STATS.has(m.Stat);
  return {
    input: {
      ...input,
      Metrics: undefined,
      Namespace: m.Metric.Namespace,
      MetricName: m.Metric.MetricName,
      Dimensions: m.Metric.Dimensions,
      Statistic: basic ? (m.Stat as Statistic) : undefined,
      ExtendedStatistic: basic ? undefined : m.Stat,
      Period: m.Period,
      Unit: m.Unit,
    },
  };
}

function checkPutMetricAlarm(input: PutMetricAlarmInput, math: MathAlarm | undefined): void {
  // Stratus's refusals: what it does not evaluate yet fails loudly rather than being stored and never evaluated.
  if (input.EvaluationCriteria) throw new InvalidParameterValueException("Stratus does not evaluate PromQL alarms (EvaluationCriteria) yet.");
  checkOperator(input);
  if (math) return checkCommon(input, math.period);
  // unverified wordings below, in AWS's usual forms
  if (!input.Namespace) throw new MissingRequiredParameterException("The parameter Namespace is required.");
  if (input.Statistic && input.ExtendedStatistic)
    throw new InvalidParameterCombinationException("The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.");
  if (!input.Statistic && !input.ExtendedStatistic)
    throw new MissingRequiredParameterException("One of the parameters Statistic or ExtendedStatistic must be specified.");
  if (input.ExtendedStatistic && !parseExtendedStatistic(input.ExtendedStatistic))
    throw new InvalidParameterValueException(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`);
  if (input.Period === undefined) throw new MissingRequiredParameterException("The parameter Period is required.");
  if (!alarmPeriod(input.Period)) throw new InvalidParameterValueException("The parameter Period must be 10, 20, 30 or a multiple of 60.");
  checkCommon(input, input.Period);
}

/** The operator and threshold: a band operator needs a ThresholdMetricId, a static one a Threshold. */
function checkOperator(input: PutMetricAlarmInput): void {
  const op = input.ComparisonOperator;
  if (!op) throw new MissingRequiredParameterException("The parameter ComparisonOperator is required.");
  if (STATIC_OPERATORS.includes(op)) {
    if (input.ThresholdMetricId !== undefined)
      throw new ServiceError("ValidationError", `ThresholdMetricId can only be used with an anomaly detection ComparisonOperator, not ${op}.`, 400); // unverified wording
    if (input.Threshold === undefined) throw new MissingRequiredParameterException("The parameter Threshold is required.");
  } else if (input.ThresholdMetricId === undefined)
    throw new ServiceError("ValidationError", `ThresholdMetricId must be set when ComparisonOperator is ${op}.`, 400); // unverified wording
}

/** Checks shared by single-metric and metric math alarms. */
function checkCommon(input: PutMetricAlarmInput, period: number): void {
  if (input.EvaluationPeriods === undefined) throw new MissingRequiredParameterException("The parameter EvaluationPeriods is required.");
  // The wording tools quote PutMetricAlarm failing with (e.g. cdk-preflight's rules).
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods)
    throw new InvalidParameterValueException("DatapointsToAlarm must be less than or equal to EvaluationPeriods");
  // AWS: Period * EvaluationPeriods at most one day, or seven days for periods of an hour or more (PutMetricAlarm).
  const span = period * input.EvaluationPeriods;
  if (span > (period >= 3600 ? 7 * 86400 : 86400))
    throw new InvalidParameterValueException(
      `The evaluation period of the alarm (Period * EvaluationPeriods) must not exceed ${period >= 3600 ? "7 days" : "1 day"}.`,
    );
  if (input.TreatMissingData !== undefined && !TREAT_MISSING.includes(input.TreatMissingData))
    throw new InvalidParameterValueException(`The value ${input.TreatMissingData} for parameter TreatMissingData is invalid.`);
  if (input.EvaluateLowSampleCountPercentile !== undefined) {
    if (!["evaluate", "ignore"].includes(input.EvaluateLowSampleCountPercentile))
      throw new InvalidParameterValueException(
        `The value ${input.EvaluateLowSampleCountPercentile} for parameter EvaluateLowSampleCountPercentile is invalid.`,
      );
    if (!/^p\d/i.test(input.ExtendedStatistic ?? ""))
      throw new InvalidParameterCombinationException("The parameter EvaluateLowSampleCountPercentile can only be used with a percentile ExtendedStatistic.");
  }
  checkActions(
    [
      { name: "OKActions", arns: input.OKActions },
      { name: "AlarmActions", arns: input.AlarmActions },
      { name: "InsufficientDataActions", arns: input.InsufficientDataActions },
    ],
    input.MetricName ? { dimensions: input.Dimensions ?? [] } : undefined,
  );
}

/** What a DescribeAlarms page token is bound to: its filters. */
export const describeBinding = (input: DescribeAlarmsInput, ctx: HandlerContext): string =>
  fingerprint([ctx.account, ctx.region, input.AlarmNames, input.AlarmNamePrefix, input.StateValue, input.ActionPrefix, input.AlarmTypes ?? ["MetricAlarm"]]);

/** The metric alarms DescribeAlarms' filters (names or prefix, state, action prefix) keep, by name. */
export function listMetricAlarms(input: DescribeAlarmsInput, ctx: HandlerContext): AlarmRec[] {
  if (input.AlarmNames?.length && input.AlarmNamePrefix)
    throw new InvalidParameterCombinationException("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both."); // unverified wording
  const t = alarmState.of(ctx);
  let list: AlarmRec[] = input.AlarmNames?.length
    ? [...new Set(input.AlarmNames)].sort().flatMap((n) => t.alarms.get(n) ?? [])
    : t.alarms.list(input.AlarmNamePrefix ? { prefix: input.AlarmNamePrefix } : {}).map((e) => e.value);
  if (input.StateValue) list = list.filter((a) => a.state === input.StateValue);
  if (input.ActionPrefix) {
    const p = input.ActionPrefix;
    list = list.filter((a) => [...a.okActions, ...a.alarmActions, ...a.insufficientDataActions].some((x) => x.startsWith(p)));
  }
  return list;
}

/** The alarm or AWS's ResourceNotFound. */
function alarmOrThrow(ctx: HandlerContext, name: string): AlarmRec {
  const a = alarmState.of(ctx).alarms.get(name);
  // AWS answers ResourceNotFound with no message at all (LocalStack's AWS-recorded snapshot, localstack/localstack
  // tests/aws/services/cloudwatch/test_cloudwatch.snapshot.json, test_set_alarm_invalid_input).
  if (!a) throw new ResourceNotFound("");
  return a;
}

/** SetAlarmState's StateReasonData must be JSON (metric and composite alarms alike). */
export function checkReasonData(data: string | undefined): void {
  if (data === undefined) return;
  try {
    JSON.parse(data);
  } catch {
    throw new InvalidFormatFault("Invalid JSON for StateReasonData"); // unverified wording
  }
}

export const alarms = {
  putMetricAlarm(given: PutMetricAlarmInput, ctx: HandlerContext) {
    const { input, math } = flatten(given);
    checkPutMetricAlarm(input, math);
    // Alarms evaluate on their cadence after a restart with no call to CloudWatch first.
    ctx.startAtBoot();
    const now = ctx.now();
    const t = alarmState.of(ctx);
    transaction(ctx, () => {
      const prev = t.alarms.get(input.AlarmName);
      const a: AlarmRec = {
        name: input.AlarmName,
        arn: alarmArn(ctx, input.AlarmName),
        description: input.AlarmDescription,
        actionsEnabled: input.ActionsEnabled ?? true,
        okActions: input.OKActions ?? [],
        alarmActions: input.AlarmActions ?? [],
        insufficientDataActions: input.InsufficientDataActions ?? [],
        namespace: input.Namespace ?? "",
        metricName: input.MetricName ?? "",
        dimensions: input.Dimensions ?? [],
        statistic: input.Statistic,
        extendedStatistic: input.ExtendedStatistic,
        period: math?.period ?? input.Period!,
        unit: input.Unit,
        evaluationPeriods: input.EvaluationPeriods!,
        datapointsToAlarm: input.DatapointsToAlarm,
        // An anomaly detection alarm has no threshold of its own (DescribeAlarms leaves it out).
        threshold: input.Threshold ?? 0,
        comparisonOperator: input.ComparisonOperator!,
        treatMissingData: input.TreatMissingData,
        evaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile,
        metrics: given.Metrics,
        returnId: math?.returnId,
        thresholdMetricId: math?.thresholdMetricId,
        // Tags given with an update are ignored (PutMetricAlarm: use TagResource to change an existing alarm's tags).
        tags: prev ? prev.tags : (input.Tags ?? []),
        configUpdated: now,
        // An update leaves the state as it was; a new alarm starts unchecked.
        state: prev?.state ?? "INSUFFICIENT_DATA",
        stateReason: prev?.stateReason ?? "Unchecked: Initial alarm creation",
        stateReasonData: prev?.stateReasonData,
        stateUpdated: prev?.stateUpdated ?? now,
        stateTransitioned: prev?.stateTransitioned ?? now,
      };
      if (prev) for (const k of indexKeys(prev)) t.alarmsByMetric.delete(k);
      t.alarms.put(a.name, a);
      for (const k of indexKeys(a)) t.alarmsByMetric.put(k, a.name);
      const snap = alarmSnapshot(a);
      addHistory(ctx, {
        alarmName: a.name,
        timestamp: now,
        type: "ConfigurationUpdate",
        summary: `Alarm "${a.name}" ${prev ? "updated" : "created"}`,
        data: JSON.stringify(
          prev
            ? { version: "1.0", type: "Update", updatedAlarm: snap, originalUpdatedAlarm: alarmSnapshot(prev) }
            : { version: "1.0", type: "Create", createdAlarm: snap },
        ),
      });
      evaluateAndApply(ctx, a, now);
    });
    return {};
  },

  describeAlarms(input: DescribeAlarmsInput, ctx: HandlerContext) {
    // ChildrenOfAlarmName, ParentsOfAlarmName and AlarmTypes with CompositeAlarm are composite-alarms.ts's.
    const types = input.AlarmTypes ?? ["MetricAlarm"];
    const list = types.includes("MetricAlarm") ? listMetricAlarms(input, ctx) : [];
    const page = pageByKey(list, (a) => a.name, {
      operation: "DescribeAlarms",
      token: input.NextToken,
      max: input.MaxRecords ?? 50,
      invalid: () => new InvalidNextToken("The service cannot process the NextToken."), // unverified wording
      bind: describeBinding(input, ctx),
    });
    const out: { MetricAlarms?: MetricAlarm[]; CompositeAlarms?: []; NextToken?: string } = {};
    // AWS answers both lists, the one not asked for empty (LocalStack's AWS-recorded test_cloudwatch.snapshot.json).
    out.CompositeAlarms = [];
    out.MetricAlarms = page.items.map(toMetricAlarm);
    if (page.next) out.NextToken = page.next;
    return out;
  },

  describeAlarmsForMetric(input: DescribeAlarmsForMetricInput, ctx: HandlerContext) {
    const t = alarmState.of(ctx);
    // Dimensions must match exactly; the other filters apply when given.
    const names = t.alarmsByMetric.list({ prefix: metricIndexPrefix(input.Namespace, input.MetricName, dimsKey(input.Dimensions)) }).map((e) => e.value);
    const list = names
      .flatMap((n) => t.alarms.get(n) ?? [])
      .filter(
        (a) =>
          // Alarms on metric math are not alarms "for" one metric (unverified: AWS's answer for them).
          !a.returnId &&
          (input.Statistic === undefined || a.statistic === input.Statistic) &&
          (input.ExtendedStatistic === undefined || a.extendedStatistic === input.ExtendedStatistic) &&
          (input.Period === undefined || a.period === input.Period) &&
          (input.Unit === undefined || a.unit === input.Unit),
      );
    return { MetricAlarms: list.map(toMetricAlarm) };
  },

  deleteAlarms(input: DeleteAlarmsInput, ctx: HandlerContext) {
    const t = alarmState.of(ctx);
    const now = ctx.now();
    // A name that does not exist is skipped: AWS does not fail (aws-cloudformation/cloudformation-cli#456, "CloudWatch
    // Alarm ... does not throw an exception if we try to delete a resource which does not exist"; LocalStack's
    // AWS-validated provider_v2.delete_alarms pops missing names silently; moto dropped its "Alarm x not found" in #4179).
    transaction(ctx, () => {
      for (const n of input.AlarmNames) {
        const a = t.alarms.get(n);
        if (!a) continue;
        t.alarms.delete(n);
        for (const k of indexKeys(a)) t.alarmsByMetric.delete(k);
        addHistory(ctx, {
          alarmName: n,
          timestamp: now,
          type: "ConfigurationUpdate",
          summary: `Alarm "${n}" deleted`,
          data: JSON.stringify({ version: "1.0", type: "Delete", deletedAlarm: alarmSnapshot(a) }),
        });
      }
    });
    return {};
  },

  setAlarmState(input: SetAlarmStateInput, ctx: HandlerContext) {
    const a = alarmOrThrow(ctx, input.AlarmName);
    checkReasonData(input.StateReasonData);
    // The state holds until the next evaluation; the change acts as any other (actions on a change only).
    const now = ctx.now();
    if (a.state !== input.StateValue) transaction(ctx, () => transition(ctx, a, input.StateValue, input.StateReason, input.StateReasonData, now));
    return {};
  },

  enableAlarmActions(input: EnableAlarmActionsInput, ctx: HandlerContext) {
    return setActionsEnabled(ctx, input.AlarmNames, true);
  },

  disableAlarmActions(input: DisableAlarmActionsInput, ctx: HandlerContext) {
    return setActionsEnabled(ctx, input.AlarmNames, false);
  },
} satisfies Partial<CloudwatchApi>;

function setActionsEnabled(ctx: HandlerContext, names: string[], enabled: boolean) {
  const t = alarmState.of(ctx);
  transaction(ctx, () => {
    for (const n of names) {
      const a = t.alarms.get(n);
      if (!a || a.actionsEnabled === enabled) continue;
      a.actionsEnabled = enabled;
      t.alarms.put(n, a);
    }
  });
  return {};
}
