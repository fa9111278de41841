// Stack notifications: every stack event is published to each of the stack's NotificationARNs (SNS topics), as
// AWS does — subject "AWS CloudFormation Notification", the body one `Key='Value'` line per field in AWS's order
// (as in notifications AWS delivered, e.g. the SNS messages quoted in public Lambda handlers that parse them).
// Publishing never holds up the stack: each stack's messages go out in order, in the background, and a topic that
// is gone or refuses is logged, not fatal (AWS drops those too).
import type { ServiceHost } from "../../core/service.js";
import type { EventRec, StackRec } from "./state.js";

/** The message body for one event. */
export function notificationMessage(s: StackRec, e: EventRec): string {
  const account = s.stackId.split(":")[4];
  const fields: [string, string | undefined][] = [
    ["StackId", s.stackId],
    ["Timestamp", new Date(e.timestamp).toISOString()],
    ["EventId", e.eventId],
    ["LogicalResourceId", e.logicalId],
    ["Namespace", account],
    ["PhysicalResourceId", e.physicalId ?? ""],
    ["PrincipalId", s.principalId ?? account],
    ["ResourceProperties", e.properties ?? "null"],
    ["ResourceStatus", e.status],
    ["ResourceStatusReason", e.reason ?? ""],
    ["ResourceType", e.type],
    ["StackName", s.stackName],
    ["ClientRequestToken", e.clientRequestToken ?? "null"],
  ];
  return `${fields.map(([k, v]) => `${k}='${v}'`).join("\n")}\n`;
}

/** Publishes stack events to their stacks' topics, in order per stack, off the engine's path. */
export class Notifier {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly host: ServiceHost) {}

  send(s: StackRec, e: EventRec): void {
    if (!s.notificationArns.length) return;
    const [, , , region, account] = s.stackId.split(":");
    const ctx = this.host.context("cloudformation", "Notify", { ...this.host.rootIdentity(account, region), invokedBy: "cloudformation" });
    const message = notificationMessage(s, e);
    const arns = [...s.notificationArns];
    const prev = this.chains.get(s.stackId) ?? Promise.resolve();
    const next = prev.then(async () => {
      for (const TopicArn of arns) {
        try {
          await ctx.client("sns").publish({ TopicArn, Subject: "AWS CloudFormation Notification", Message: message });
        } catch (err) {
          this.host.logger.warn(`cloudformation ${s.stackName}: notification to ${TopicArn} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
    this.chains.set(s.stackId, next);
    void next.finally(() => {
      if (this.chains.get(s.stackId) === next) this.chains.delete(s.stackId);
    });
  }

  /** Waits for every queued notification (the server drains them before the store closes). */
  async drain(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }
}
