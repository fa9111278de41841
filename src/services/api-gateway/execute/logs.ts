// What a request to a stage leaves behind, all off the response's path: the access log line (the stage's
// accessLogSettings: its format with $context variables substituted, into its log group), the execution log
// (methodSettings loggingLevel INFO or ERROR: log group API-Gateway-Execution-Logs_<apiId>/<stage>), and the
// audit trail's Invoke data event (execute-api.amazonaws.com). Log writes are batched per stream and go through
// the Logs API (PutLogEvents) in the background, as API Gateway delivers them a moment after the request.
import { randomBytes } from "node:crypto";
import { ServiceError } from "../../../core/errors.js";
import type { ServiceHost } from "../../../core/service.js";
import type { MethodSetting } from "../api.generated.js";
import type { StageRec } from "../state.js";
import type { ApiRequest, Owner, RequestContext } from "./types.js";

interface LogEvent {
  timestamp: number;
  message: string;
}

interface Target {
  account: string;
  region: string;
  group: string;
  stream: string;
  /** Make the group if it is missing (execution logs); an access log's group must exist, else lines are dropped. */
  createGroup: boolean;
}

interface Pending {
  target: Target;
  events: LogEvent[];
  flushing?: Promise<void>;
}

/** One sink per server (its streams and what it created): kept on the host's instance map by WeakMap. */
class LogSink {
  private readonly streams = new Map<string, Pending>();
  private readonly made = new Set<string>();
  /** One stream per log group for this server's life (AWS names them by a hash; any unique name does). */
  private readonly streamNames = new Map<string, string>();

  constructor(private readonly rt: ServiceHost) {
    rt.onDrain(() => this.drain());
  }

  streamFor(account: string, region: string, group: string): string {
    const key = `${account}/${region}/${group}`;
    let s = this.streamNames.get(key);
    if (!s) this.streamNames.set(key, (s = randomBytes(16).toString("hex")));
    return s;
  }

  write(target: Target, events: LogEvent[]): void {
    const key = `${target.account}/${target.region}/${target.group}/${target.stream}`;
    let p = this.streams.get(key);
    if (!p) this.streams.set(key, (p = { target, events: [] }));
    p.events.push(...events);
    if (!p.flushing) p.flushing = this.flush(key, p);
  }

  async drain(): Promise<void> {
    for (;;) {
      const busy = [...this.streams.values()].map((p) => p.flushing).filter(Boolean);
      if (!busy.length) return;
      await Promise.all(busy);
    }
  }

  private async flush(key: string, p: Pending): Promise<void> {
    try {
      await new Promise((r) => setTimeout(r, 5));
      while (p.events.length) await this.put(p.target, p.events.splice(0, 5000));
    } catch (e) {
      // An access log group that does not exist: API Gateway drops the lines.
      if (e instanceof ServiceError && e.code === "ResourceNotFoundException") this.rt.logger.debug(`API Gateway: no log group ${p.target.group}`);
      else this.rt.logger.error(`API Gateway could not write to log group ${p.target.group}`, e);
    } finally {
      p.flushing = undefined;
      if (p.events.length) p.flushing = this.flush(key, p);
      else this.streams.delete(key);
    }
  }

  private async put(t: Target, events: LogEvent[]): Promise<void> {
    const who = { ...this.rt.rootIdentity(t.account, t.region), invokedBy: "apigateway.amazonaws.com" };
    const call = (op: string, input: Record<string, unknown>) => this.rt.call("cloudwatch-logs", op, input, who, { audit: false });
    const exists = async (op: string, input: Record<string, unknown>) => {
      try {
        await call(op, input);
      } catch (e) {
        if (!(e instanceof ServiceError && e.code === "ResourceAlreadyExistsException")) throw e;
      }
    };
    const gkey = `${t.account}/${t.region}/${t.group}`;
    const skey = `${gkey}/${t.stream}`;
    const ensure = async () => {
      if (!this.made.has(gkey)) {
        if (t.createGroup) await exists("CreateLogGroup", { logGroupName: t.group });
        this.made.add(gkey);
      }
      if (!this.made.has(skey)) {
        await exists("CreateLogStream", { logGroupName: t.group, logStreamName: t.stream });
        this.made.add(skey);
      }
    };
    await ensure();
    events.sort((a, b) => a.timestamp - b.timestamp);
    const put = () => call("PutLogEvents", { logGroupName: t.group, logStreamName: t.stream, logEvents: events });
    try {
      await put();
    } catch (e) {
      if (!(e instanceof ServiceError && e.code === "ResourceNotFoundException")) throw e;
      this.made.delete(gkey);
      this.made.delete(skey);
      await ensure();
      await put();
    }
  }
}

const sinks = new WeakMap<ServiceHost, LogSink>();
const sinkOf = (rt: ServiceHost) => {
  let s = sinks.get(rt);
  if (!s) sinks.set(rt, (s = new LogSink(rt)));
  return s;
};

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

/** "arn:aws:logs:<region>:<account>:log-group:<name>[:*]" → its parts. */
function logGroupOf(arn: string): { account: string; region: string; group: string } | undefined {
  const m = /^arn:aws[\w-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, group: m[3]! } : undefined;
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
  const dest = logGroupOf(s.destinationArn);
  if (!dest) return;
  const sink = sinkOf(rt);
  const stream = sink.streamFor(dest.account, dest.region, dest.group);
  sink.write({ ...dest, stream, createGroup: false }, [
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
  readonly lines: LogEvent[] = [];
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
  const sink = sinkOf(rt);
  sink.write({ account: owner.account, region: owner.region, group, stream: sink.streamFor(owner.account, owner.region, group), createGroup: true }, log.lines);
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
    ...(out.status >= 400 ? { errorCode: out.errorType ?? String(out.status), errorMessage: out.errorMessage } : {}),
  });
}
