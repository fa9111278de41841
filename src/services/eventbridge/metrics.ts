// AWS/Events metrics (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html): MatchedEvents
// as an event matches any rule, TriggeredRules per rule matched, Invocations as a target is invoked, FailedInvocations
// once an invocation has failed for good, DeadLetterInvocations as an event goes to a target's dead-letter queue —
// each in Count, by RuleName where it concerns one rule and also without dimensions (the account's total).
// Published through core/service-metrics.ts.
import { serviceMetrics } from "../../core/service-metrics.js";
import type { ServiceHost } from "../../core/service.js";

export type EventsMetric = "MatchedEvents" | "TriggeredRules" | "Invocations" | "FailedInvocations" | "DeadLetterInvocations";

export function eventsMetric(
  host: ServiceHost,
  account: string,
  region: string,
  name: EventsMetric,
  ruleName: string | undefined,
  at: number,
  value = 1,
): void {
  const m = serviceMetrics(host, "eventbridge");
  m.record(account, region, "AWS/Events", name, [], value, "Count", at);
  if (ruleName !== undefined) m.record(account, region, "AWS/Events", name, [{ Name: "RuleName", Value: ruleName }], value, "Count", at);
}
