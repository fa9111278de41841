// What a request to a stage leaves behind, all off the response's path: the access log line (the stage's
// accessLogSettings: its format with $context variables substituted, into its log group), the execution log
// (methodSettings loggingLevel INFO or ERROR: log group API-Gateway-Execution-Logs_<apiId>/<stage>), and the
// audit trail's Invoke data event (execute-api.amazonaws.com). Log writes are batched per stream and go through
// the Logs API (PutLogEvents) in the background, as API Gateway delivers them a moment after the request.
import { randomBytes } from "node:crypto";
import { LogDelivery, type LogLine, logGroupOfArn } from "../../../core/log-delivery.js";
import type { ServiceHost } from "../../../core/service.js";
import type { MethodSetting } from "../api.generated.js";
import type { StageRec } from "../state.js";
import type { ApiRequest, Owner, RequestContext } from "./types.js";

/** One delivery per server, and one stream per log group for the server's life (AWS names them by a hash). */
interface Sink {
  delivery: LogDelivery;
  streamNames: Map<string, string>;
}

const sinks = new WeakMap<ServiceHost, Sink>();

/** The server's API Gateway log delivery (access logs of REST and HTTP APIs, execution logs), drained at close. */
export function logDelivery(rt: ServiceHost): LogDelivery {
  return sinkOf(rt).delivery;
}

function sinkOf(rt: ServiceHost): Sink {
  let s = sinks.get(rt);
  if (!s) {
    const delivery = new LogDelivery(rt, { service: "api-gateway", audit: false, delayMs: 5 });
    rt.onDrain(() => delivery.drain());
    sinks.set(rt, (s = { delivery, streamNames: new Map() }));
  }
  return s;
}

function streamFor(rt: ServiceHost, account: string, region: string, group: string): string {
  const names = sinkOf(rt).streamNames;
  const key = `${account}/${region}/${group}`;
  let s = names.get(key);
  if (!s) names.set(key, (s = randomBytes(16).toString("hex")));
  return s;
}

/** What the request came to, for $context's response variables. */
export interface Outcome {
  status: number;
  responseLength: number;
  responseLatency: number;
  integrationLatency?: number;
  integrationStatus?: number;
  errorMessage?: string;
  errorType?: string;
}

/** $context.<name> for access logs: the request context, then what the response came to; "-" when unknown. */
export function contextValue(name: string, ctx: Partial<RequestContext>, out: Outcome): string {
  switch (name) {
    case "status":
      return String(out.status);
    case "responseLength":
      return String(out.responseLength);
    case "responseLatency":
      return String(out.responseLatency);
    case "integrationLatency":
    case "integration.latency":
      return out.integrationLatency === undefined ? "-" : String(out.integrationLatency);
    case "integrationStatus":
    case "integration.status":
      return out.integrationStatus === undefined ? "-" : String(out.integrationStatus);
    case "error.message":
      return out.errorMessage ?? "-";
    case "error.messageString":
      return out.errorMessage === undefined ? "-" : JSON.stringify(out.errorMessage);
    case "error.responseType":
      return out.errorType ?? "-";
  }
  let v: unknown = ctx;
  for (const part of name.split(".")) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  if (v === undefined || v === null || v === "") return "-";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** The access log line: each $context.<name> (letters, digits, dots) in the format replaced by its value. */
export function accessLogLine(format: string, ctx: Partial<RequestContext>, out: Outcome): string {
  return format.replace(/\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (_, n: string) => contextValue(n, ctx, out));
}

export function writeAccessLog(rt: ServiceHost, stage: StageRec, ctx: Partial<RequestContext>, out: Outcome): void {
  const s = stage.accessLogSettings;
  if (!s?.destinationArn || !s.format) return;
  const dest = logGroupOfArn(s.destinationArn);
  if (!dest) return;
  const stream = streamFor(rt, dest.account, dest.region, dest.group);
  logDelivery(rt).write({ ...dest, stream, createGroup: false }, [
    { timestamp: (ctx.requestTimeEpoch as number | undefined) ?? Date.now(), message: accessLogLine(s.format, ctx, out) },
  ]);
}

/**
 * The method's execution logging from methodSettings ("<resource path>/<METHOD>" first, then "*\/*"): its level,
 * and whether full request and response data is logged too (dataTraceEnabled).
 */
export function executionLogging(
  stage: StageRec,
  resourcePath: string | undefined,
  method: string,
): { level: "INFO" | "ERROR"; dataTrace: boolean } | undefined {
  const settings = stage.methodSettings ?? {};
  let s: MethodSetting | undefined;
  if (resourcePath !== undefined) s = settings[`${resourcePath.replace(/^\//, "")}/${method}`];
  s ??= settings["*/*"];
  const level = s?.loggingLevel?.toUpperCase();
  return level === "INFO" || level === "ERROR" ? { level, dataTrace: s?.dataTraceEnabled === true } : undefined;
}

/** API Gateway cuts an execution log event at 1024 bytes (its "Important notes": log events are limited to 1024 bytes). */
const MAX_EVENT_BYTES = 1024;

/** An execution log being written for one request: lines prefixed "(<requestId>) " as AWS writes them. */
export class ExecutionLog {
  readonly lines: LogLine[] = [];
  failed = false;
  constructor(
    readonly level: "INFO" | "ERROR",
    /** Full request and response data (headers, bodies) are logged too. */
    readonly dataTrace: boolean,
    private readonly requestId: string,
    private readonly now: () => number,
  ) {}
  info(message: string): void {
    if (this.level === "INFO") this.push(message);
  }
  /** A line of request or response data: only with dataTraceEnabled. */
  data(message: string): void {
    if (this.level === "INFO" && this.dataTrace) this.push(message);
  }
  error(message: string): void {
    this.failed = true;
    this.push(message);
  }
  private push(message: string): void {
    let line = `(${this.requestId}) ${message}`;
    if (Buffer.byteLength(line) > MAX_EVENT_BYTES)
      line = `${Buffer.from(line)
        .subarray(0, MAX_EVENT_BYTES - 12)
        .toString("utf8")} [TRUNCATED]`; // unverified marker wording
    this.lines.push({ timestamp: this.now(), message: line });
  }
}

export function writeExecutionLog(rt: ServiceHost, owner: Owner, apiId: string, stage: string, log: ExecutionLog): void {
  if (!log.lines.length || (log.level === "ERROR" && !log.failed)) return;
  const group = `API-Gateway-Execution-Logs_${apiId}/${stage}`;
  logDelivery(rt).write({ account: owner.account, region: owner.region, group, stream: streamFor(rt, owner.account, owner.region, group) }, log.lines);
}

/** The execute-api call in the audit trail: an Invoke event from execute-api.amazonaws.com. */
export function auditInvoke(rt: ServiceHost, owner: Owner, req: ApiRequest, resourceArn: string, out: Outcome): void {
  rt.audit.record({
    time: req.requestTimeEpoch,
    // The model answered from cache (a name without a model would be looked for on disk for every event).
    service: "api-gateway",
    eventSource: "execute-api.amazonaws.com",
    operation: "Invoke",
    account: owner.account,
    region: owner.region,
    principal: { type: "Unknown", accountId: "", arn: "", principalId: "" },
    sourceIp: req.sourceIp,
    userAgent: req.userAgent,
    requestId: req.requestId,
    input: { resource: resourceArn, httpMethod: req.method, path: req.path },
    dataEvent: true,
    ...(out.status >= 400 ? { errorCode: out.errorType ?? String(out.status), errorMessage: out.errorMessage } : {}),
  });
}
