// A composite alarm's actions, on a change of state: SNS topics (the metric alarm's JSON message with AlarmRule and
// TriggeringChildren — `[{"Arn":…,"State":{"Value":"ALARM","Timestamp":…}}]` — in place of Trigger; key order
// unverified) and Lambda functions (AWS's alarmData event with configuration.alarmRule, invoked when the function's
// policy lets lambda.alarms.cloudwatch.amazonaws.com invoke it), run as the metric alarms' are (alarm-actions.ts runActions).
import type { HandlerContext } from "../../core/context.js";
import { regionName, runActions } from "./alarm-actions.js";
import { awsJson, awsTime } from "./alarm-evaluation.js";
import type { CompositeRec, PendingActions } from "./composite-state.js";

const actionsFor = (c: CompositeRec): string[] => (c.state === "ALARM" ? c.alarmActions : c.state === "OK" ? c.okActions : c.insufficientDataActions);

interface Triggering {
  arn: string;
  state: { value: string; timestamp: string };
}
const triggeringOf = (c: CompositeRec): Triggering[] => {
  try {
    return (JSON.parse(c.stateReasonData ?? "{}") as { triggeringAlarms?: Triggering[] }).triggeringAlarms ?? [];
  } catch {
    return [];
  }
};

export function compositeSnsMessage(c: CompositeRec, account: string, region: string, old: string): string {
  return awsJson({
    AlarmName: c.name,
    AlarmDescription: c.description ?? null,
    AWSAccountId: account,
    AlarmConfigurationUpdatedTimestamp: awsTime(c.configUpdated),
    NewStateValue: c.state,
    NewStateReason: c.stateReason,
    StateChangeTime: awsTime(c.stateUpdated),
    Region: regionName(region),
    AlarmArn: c.arn,
    OldStateValue: old,
    OKActions: c.okActions,
    AlarmActions: c.alarmActions,
    InsufficientDataActions: c.insufficientDataActions,
    AlarmRule: c.rule,
    TriggeringChildren: triggeringOf(c).map((t) => ({ Arn: t.arn, State: { Value: t.state.value, Timestamp: t.state.timestamp } })),
  });
}

/** The event a Lambda action receives for a composite (AWS's alarmData event; configuration holds the rule). */
export function compositeLambdaEvent(c: CompositeRec, account: string, region: string, old: PendingActions["old"]): Record<string, unknown> {
  const state = (value: string, reason: string, reasonData: string | undefined, at: number) => {
    const s: Record<string, unknown> = { value, reason };
    if (reasonData) s.reasonData = reasonData;
    s.timestamp = awsTime(at);
    return s;
  };
  const configuration: Record<string, unknown> = { alarmRule: c.rule };
  if (c.suppressor) {
    configuration.actionsSuppressor = c.suppressor;
    configuration.actionsSuppressorWaitPeriod = c.suppressorWait;
    configuration.actionsSuppressorExtensionPeriod = c.suppressorExtension;
  }
  if (c.description) configuration.description = c.description;
  return {
    source: "aws.cloudwatch",
    alarmArn: c.arn,
    accountId: account,
    time: awsTime(c.stateUpdated),
    region,
    alarmData: {
      alarmName: c.name,
      state: state(c.state, c.stateReason, c.stateReasonData, c.stateUpdated),
      previousState: state(old.value, old.reason, old.reasonData, old.at),
      configuration,
    },
  };
}

/** Runs the composite's actions for its state in the background; each outcome is recorded in its history. */
export function fireCompositeActions(ctx: HandlerContext, c: CompositeRec, old: PendingActions["old"]): void {
  const snapshot = { ...c };
  runActions(ctx, { ...snapshot, alarmType: "CompositeAlarm" }, actionsFor(snapshot), {
    snsMessage: () => compositeSnsMessage(snapshot, ctx.account, ctx.region, old.value),
    lambdaEvent: () => compositeLambdaEvent(snapshot, ctx.account, ctx.region, old),
  });
}
