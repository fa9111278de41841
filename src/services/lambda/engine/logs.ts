// Function output to CloudWatch Logs, as Lambda writes it: group /aws/lambda/<name> (or LoggingConfig.LogGroup),
// one stream per execution environment (2024/01/31/[$LATEST]<id>), the START/END/REPORT platform lines around
// each invocation. The writes are core's log delivery (core/log-delivery.ts): in the background, in order, never
// on the invocation's path.
export type { LogTarget } from "../../../core/log-delivery.js";

export const streamName = (version: string, instanceId: string, now = Date.now()) => {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/[${version}]${instanceId}`;
};
