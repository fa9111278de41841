// Every alarm state change (metric and composite, whether or not its actions are enabled) is an event on the
// account's default event bus: source aws.cloudwatch, detail-type "CloudWatch Alarm State Change", the alarm's ARN
// as its resource, and AWS's detail — alarmName, configuration, previousState, state
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html, "Alarm State
// Change Events"). Sent through EventBridge's PutEvents in-process, only when the bus has a rule (eventbridge/internal.ts);
// a failure there never fails the alarm.
import type { HandlerContext } from "../../core/context.js";
import { busHasRules } from "../eventbridge/internal.js";

/** The alarm event's detail, keys in the documented sample's order, from the alarmData a Lambda action receives. */
export function stateChangeDetail(alarmData: Record<string, unknown>): Record<string, unknown> {
  const { alarmName, configuration, previousState, state } = alarmData;
  return { alarmName, configuration, previousState, state };
}

export function putStateChangeEvent(ctx: HandlerContext, alarmArn: string, at: number, alarmData: () => Record<string, unknown>): void {
  if (!busHasRules(ctx, ctx.account, ctx.region)) return;
  const entry = {
    Source: "aws.cloudwatch",
    DetailType: "CloudWatch Alarm State Change",
    Resources: [alarmArn],
    Time: new Date(at),
    Detail: JSON.stringify(stateChangeDetail(alarmData())),
  };
  ctx
    .client("eventbridge")
    .putEvents({ Entries: [entry] })
    .catch(() => {}); // EventBridge refused or the server closed: the alarm's change stands
}
