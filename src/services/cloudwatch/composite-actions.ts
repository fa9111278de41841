// A composite alarm's actions, on a change of state: SNS topics (the metric alarm's JSON message with AlarmRule and
// TriggeringChildren — `[{"Arn":…,"State":{"Value":"ALARM","Timestamp":…}}]` — in place of Trigger; key order
// unverified) and Lambda functions (AWS's alarmData event with configuration.alarmRule, invoked when the function's
// policy lets lambda.alarms.cloudwatch.amazonaws.com invoke it). Each outcome is an Action history item.
import { parseArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { lambdaPermits } from "../lambda/internal.js";
import { ALARM_PRINCIPAL, regionName } from "./alarm-actions.js";
import { awsJson, awsTime } from "./alarm-evaluation.js";
import { addHistory } from "./alarm-history.js";
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
  const account = ctx.account;
  const region = ctx.region;
  for (const arn of actionsFor(snapshot)) {
    const record = (ok: boolean, data: Record<string, unknown>) =>
      addHistory(ctx, {
        alarmName: snapshot.name,
        alarmType: "CompositeAlarm",
        timestamp: ctx.now(),
        type: "Action",
        // unverified wordings (as the metric alarms' Action items)
        summary: ok ? `Successfully executed action ${arn}` : `Failed to execute action ${arn}`,
        data: JSON.stringify({ actionState: ok ? "Succeeded" : "Failed", stateUpdateTimestamp: snapshot.stateUpdated, ...data }),
      });
    const run = async () => {
      const target = parseArn(arn)!;
      if (target.service === "sns") {
        const message = compositeSnsMessage(snapshot, account, region, old.value);
        const subject = `${snapshot.state}: "${snapshot.name}" in ${regionName(region)}`.slice(0, 100);
        await ctx.client("sns").publish({ TopicArn: arn, Subject: subject, Message: message }, { region: target.region });
        record(true, { notificationResource: arn, publishedMessage: message });
      } else {
        if (!lambdaPermits(ctx, arn, ALARM_PRINCIPAL, snapshot.arn, account)) {
          record(false, {
            error:
              "CloudWatch Alarms is not authorized to perform: lambda:InvokeFunction on the resource because no resource-based policy allows the lambda:InvokeFunction action",
          }); // unverified wording
          return;
        }
        const event = compositeLambdaEvent(snapshot, account, region, old);
        await ctx
          .client("lambda")
          .invoke({ FunctionName: arn, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }, { region: target.region });
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
