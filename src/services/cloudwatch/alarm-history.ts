// Alarm history as AWS keeps it (DescribeAlarmHistory): configuration updates, state updates and actions, kept after
// the alarm is deleted; and the one place an alarm changes state (a history item, then its actions).
import type { HandlerContext } from "../../core/context.js";
import type { Located } from "../../core/state.js";
import { fingerprint, pageByKey } from "../../core/paging.js";
import { type DescribeAlarmHistoryInput, type DescribeAlarmHistoryOutput, InvalidNextToken, type StateValue } from "./api.generated.js";
import { fireActions, lambdaEvent } from "./alarm-actions.js";
import { putStateChangeEvent } from "./alarm-events.js";
import { awsJson, RawJson } from "./alarm-evaluation.js";
import { type AlarmRec, alarmState, type HistoryRec } from "./alarm-state.js";
import { onAlarmStateChange } from "./composite-evaluation.js";

let seq = 0;

export function addHistory(ctx: Located, item: Omit<HistoryRec, "alarmType"> & { alarmType?: HistoryRec["alarmType"] }): void {
  const key = `${String(item.timestamp).padStart(15, "0")}/${String(seq++ % 1e9).padStart(9, "0")}`;
  alarmState.of(ctx).alarmHistory.put(key, { ...item, alarmType: item.alarmType ?? "MetricAlarm" });
}

/** The alarm as its ConfigurationUpdate history data shows it (createdAlarm, updatedAlarm, deletedAlarm). unverified field set */
export function alarmSnapshot(a: AlarmRec): Record<string, unknown> {
  return {
    alarmName: a.name,
    alarmArn: a.arn,
    alarmDescription: a.description,
    actionsEnabled: a.actionsEnabled,
    oKActions: a.okActions,
    alarmActions: a.alarmActions,
    insufficientDataActions: a.insufficientDataActions,
    metricName: a.metricName,
    namespace: a.namespace,
    statistic: a.statistic,
    extendedStatistic: a.extendedStatistic,
    dimensions: a.dimensions.map((d) => ({ name: d.Name, value: d.Value })),
    period: a.period,
    unit: a.unit,
    evaluationPeriods: a.evaluationPeriods,
    datapointsToAlarm: a.datapointsToAlarm,
    threshold: a.threshold,
    comparisonOperator: a.comparisonOperator,
    treatMissingData: a.treatMissingData,
    evaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile,
    metrics: a.returnId ? a.metrics : undefined,
    thresholdMetricId: a.thresholdMetricId,
    alarmConfigurationUpdatedTimestamp: a.configUpdated,
    stateValue: a.state,
    stateReason: a.stateReason,
    stateUpdatedTimestamp: a.stateUpdated,
  };
}

/**
 * Moves the alarm to `state` (stored, with its StateUpdate history item: summary `Alarm updated from OK to ALARM`, data
 * `{"version":"1.0","oldState":{…},"newState":{…}}` as AWS writes them), then runs the new state's actions when the
 * alarm's actions are enabled. Only a change of state acts; the caller stores nothing else.
 */
export function transition(ctx: HandlerContext, a: AlarmRec, state: StateValue, reason: string, reasonData: string | undefined, now: number): void {
  const old = { value: a.state, reason: a.stateReason, reasonData: a.stateReasonData, at: a.stateUpdated };
  const oldState: Record<string, unknown> = { stateValue: a.state, stateReason: a.stateReason };
  if (a.stateReasonData) oldState.stateReasonData = jsonOrText(a.stateReasonData);
  const newState: Record<string, unknown> = { stateValue: state, stateReason: reason };
  if (reasonData) newState.stateReasonData = jsonOrText(reasonData);
  a.state = state;
  a.stateReason = reason;
  a.stateReasonData = reasonData;
  a.stateUpdated = now;
  a.stateTransitioned = now;
  alarmState.of(ctx).alarms.put(a.name, a);
  addHistory(ctx, {
    alarmName: a.name,
    timestamp: now,
    type: "StateUpdate",
    summary: `Alarm updated from ${old.value} to ${state}`,
    data: awsJson({ version: "1.0", oldState, newState }),
  });
  if (a.actionsEnabled) fireActions(ctx, a, old);
  const snapshot = { ...a };
  putStateChangeEvent(ctx, a.arn, now, () => lambdaEvent(snapshot, ctx.account, ctx.region, old).alarmData as Record<string, unknown>);
  // The composite alarms it is a child or suppressor of follow (composite-evaluation.ts).
  onAlarmStateChange(ctx, a.name, now);
}

function jsonOrText(s: string): unknown {
  try {
    JSON.parse(s);
    return new RawJson(s);
  } catch {
    return s;
  }
}

const MAX_HISTORY_RECORDS = 100;

/** DescribeAlarmHistory: newest first unless ScanBy says otherwise; items of deleted alarms stay. */
export function describeAlarmHistory(input: DescribeAlarmHistoryInput, ctx: HandlerContext): DescribeAlarmHistoryOutput {
  const types = input.AlarmTypes ?? ["MetricAlarm"];
  const from = input.StartDate?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = input.EndDate?.getTime() ?? Number.POSITIVE_INFINITY;
  const entries = alarmState
    .of(ctx)
    .alarmHistory.list()
    .filter(
      ({ value: h }) =>
        types.includes(h.alarmType) &&
        (input.AlarmName === undefined || h.alarmName === input.AlarmName) &&
        (input.HistoryItemType === undefined || h.type === input.HistoryItemType) &&
        h.timestamp >= from &&
        h.timestamp <= to,
    );
  const descending = input.ScanBy !== "TimestampAscending";
  // Page keys run in the scan's order: descending scans page over inverted keys.
  const keyed = entries.map((e) => ({ k: descending ? invert(e.key) : e.key, h: e.value }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const page = pageByKey(keyed, (e) => e.k, {
    operation: "DescribeAlarmHistory",
    token: input.NextToken,
    max: input.MaxRecords ?? MAX_HISTORY_RECORDS,
    invalid: () => new InvalidNextToken("The service cannot process the NextToken."), // unverified wording
    bind: fingerprint([ctx.account, ctx.region, input.AlarmName, types, input.HistoryItemType, from, to, descending]),
  });
  const out: DescribeAlarmHistoryOutput = {
    AlarmHistoryItems: page.items.map(({ h }) => ({
      AlarmName: h.alarmName,
      AlarmType: h.alarmType,
      Timestamp: new Date(h.timestamp),
      HistoryItemType: h.type,
      HistorySummary: h.summary,
      HistoryData: h.data,
    })),
  };
  if (page.next) out.NextToken = page.next;
  return out;
}

/** A key whose order is the reverse of the original's (digits and '/' only). */
const invert = (k: string): string => k.replace(/\d/g, (d) => String(9 - Number(d)));
