// AWS/SNS's metrics by TopicName (https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html):
// NumberOfMessagesPublished and PublishSize as messages are accepted, NumberOfNotificationsDelivered as a delivery
// succeeds and NumberOfNotificationsFailed once one has run out of retries. Published through core/service-metrics.ts.
import type { HandlerContext } from "../../core/context.js";
import { serviceMetrics } from "../../core/service-metrics.js";
import { runtimeOf } from "./state.js";

export function topicMetric(ctx: HandlerContext, topicName: string, name: string, value: number, unit = "Count"): void {
  const host = runtimeOf(ctx);
  if (!host) return;
  serviceMetrics(host, "sns").record(ctx.account, ctx.region, "AWS/SNS", name, [{ Name: "TopicName", Value: topicName }], value, unit, ctx.now());
}
