// Function output to CloudWatch Logs, as Lambda writes it: group /aws/lambda/<name> (or LoggingConfig.LogGroup),
// one stream per execution environment (2024/01/31/[$LATEST]<id>), the START/END/REPORT platform lines around
// each invocation. The writes are core's log delivery (core/log-delivery.ts): in the background, in order, never
// on the invocation's path.
import type { FunctionConfiguration } from "../api.generated.js";
import type { InvocationResult } from "./instance.js";

export type { LogTarget } from "../../../core/log-delivery.js";

export const streamName = (version: string, instanceId: string, now = Date.now()) => {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/[${version}]${instanceId}`;
};

/**
 * An invocation's lines in its stream: INIT_START on a cold start, the output, START/END/REPORT (or their JSON
 * platform records), and the error document Invoke answers with for a platform error. `now` is read once the output
 * is in (END's and REPORT's time).
 */
export function platformLines(
  id: string,
  c: FunctionConfiguration,
  version: string,
  startedAt: number,
  res: InvocationResult,
  now: () => number,
): { lines: { timestamp: number; message: string }[]; errorPayload?: Buffer } {
  const json = c.LoggingConfig?.LogFormat === "JSON";
  const o = res.outcome;
  const duration = res.durationMs;
  const billed = Math.ceil(duration + (res.initDurationMs ?? 0));
  const lines: { timestamp: number; message: string }[] = [];
  // A cold start: INIT_START, then whatever the function's module-level code wrote, then START. (On a warm
  // environment, output written between invocations comes before START.)
  const t = Math.min(startedAt, res.initLines[0]?.at ?? startedAt);
  if (res.initDurationMs !== undefined) {
    const runtimeVersion = runtimeVersionName(c.Runtime);
    const arn = c.RuntimeVersionConfig?.RuntimeVersionArn ?? "";
    lines.push({
      timestamp: t,
      message: json
        ? JSON.stringify({
            time: new Date(t).toISOString(),
            type: "platform.initStart",
            record: {
              initializationType: "on-demand",
              phase: "init",
              runtimeVersion,
              runtimeVersionArn: arn,
              functionName: c.FunctionName,
              functionVersion: version,
            },
          })
        : `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: ${arn}`,
    });
  }
  for (const l of res.initLines) lines.push({ timestamp: Math.max(l.at, t), message: l.text });
  const startAt = Math.max(startedAt, lines.at(-1)?.timestamp ?? startedAt);
  if (json) {
    lines.push({
      timestamp: startAt,
      message: JSON.stringify({ time: new Date(startAt).toISOString(), type: "platform.start", record: { requestId: id, version } }),
    });
  } else {
    lines.push({ timestamp: startAt, message: `START RequestId: ${id} Version: ${version}` });
  }
  for (const l of res.lines) lines.push({ timestamp: Math.max(l.at, startAt), message: l.text });
  const end = now();
  let errorPayload: Buffer | undefined;
  if (o.kind === "platform") {
    const message =
      o.status === "timeout"
        ? `${new Date(end).toISOString()} ${id} Task timed out after ${(c.Timeout ?? 3).toFixed(2)} seconds`
        : `${o.errorMessage}\n${o.errorType}`;
    if (o.errorMessage)
      lines.push({
        timestamp: end,
        message: json
          ? JSON.stringify({
              time: new Date(end).toISOString(),
              type: "platform.runtimeError",
              record: { requestId: id, errorType: o.errorType, message: o.errorMessage },
            })
          : message,
      });
    errorPayload = o.payload ?? Buffer.from(JSON.stringify({ errorType: o.errorType, errorMessage: o.errorMessage }));
  }
  const status = o.kind === "response" ? "success" : o.kind === "error" ? "error" : o.status;
  if (json) {
    lines.push({
      timestamp: end,
      message: JSON.stringify({
        time: new Date(end).toISOString(),
        type: "platform.report",
        record: {
          requestId: id,
          metrics: {
            durationMs: round2(duration),
            billedDurationMs: billed,
            memorySizeMB: c.MemorySize,
            maxMemoryUsedMB: res.maxMemoryMB,
            ...(res.initDurationMs !== undefined ? { initDurationMs: round2(res.initDurationMs) } : {}),
          },
          status,
        },
      }),
    });
  } else {
    lines.push({ timestamp: end, message: `END RequestId: ${id}` });
    let report = `REPORT RequestId: ${id}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${c.MemorySize ?? 128} MB\tMax Memory Used: ${res.maxMemoryMB} MB\t`;
    if (res.initDurationMs !== undefined) report += `Init Duration: ${res.initDurationMs.toFixed(2)} ms\t`;
    if (o.kind === "platform") report += `Status: ${o.status}\t${o.status === "error" ? `Error Type: ${o.errorType}\t` : ""}`;
    lines.push({ timestamp: end, message: report });
  }
  return { lines, errorPayload };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The runtime version INIT_START names, in AWS's form (nodejs:20.v1, python:3.12.v1, provided:al2023.v1). */
function runtimeVersionName(runtime: string | undefined): string {
  const m = /^(nodejs|python)([\d.]+?)(?:\.x)?$/.exec(runtime ?? "");
  if (m) return `${m[1]}:${m[2]}.v1`;
  return `${(runtime ?? "provided").replace(".", ":")}.v1`;
}
