// Access logs of HTTP API stages: one line per request in the stage's AccessLogSettings.Format, its $context
// variables replaced ("Customize HTTP API access logs",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html; a variable with no
// value is "-"), written to the DestinationArn log group through the CloudWatch Logs API in the background, after
// the response: never on the request's path. API Gateway does not create the log group; it must exist.
import { ServiceError } from "../../../../core/errors.js";
import type { ServiceHost } from "../../../../core/service.js";

/** The $context values of one request, by the name after "$context." (nested names dotted: "identity.sourceIp"). */
export type LogContext = Record<string, string | number | undefined>;

export function formatAccessLog(format: string, ctx: LogContext): string {
  return format.replace(/\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g, (_, name: string) => {
    const v = ctx[name];
    return v === undefined || v === "" ? "-" : String(v);
  });
}

/** The log group a destination ARN names: arn:aws:logs:<region>:<account>:log-group:<name>[:*]. */
export function logGroupOf(arn: string): { account: string; region: string; group: string } | undefined {
  const m = /^arn:aws[\w-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, group: m[3]! } : undefined;
}

interface Pending {
  account: string;
  region: string;
  group: string;
  stream: string;
  events: { timestamp: number; message: string }[];
  flushing?: Promise<void>;
}

/** Batches lines per log stream and writes them in order, off the request's path. */
export class AccessLogSink {
  private readonly pending = new Map<string, Pending>();
  private readonly made = new Set<string>();

  constructor(private readonly rt: ServiceHost) {
    rt.onDrain(() => this.drain());
  }

  // unverified naming: AWS names an HTTP API stage's access log streams itself; Stratus uses one stream per stage.
  write(destinationArn: string, apiId: string, stage: string, timestamp: number, message: string): void {
    const g = logGroupOf(destinationArn);
    if (!g) return;
    const stream = `${apiId}_${stage}`;
    const key = `${g.account}/${g.region}/${g.group}/${stream}`;
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { ...g, stream, events: [] }));
    p.events.push({ timestamp, message });
    if (!p.flushing) p.flushing = this.flush(key, p);
  }

  async drain(): Promise<void> {
    for (;;) {
      const busy = [...this.pending.values()].map((p) => p.flushing).filter(Boolean);
      if (!busy.length) return;
      await Promise.all(busy);
    }
  }

  private async flush(key: string, p: Pending): Promise<void> {
    try {
      await new Promise((r) => setImmediate(r));
      while (p.events.length) await this.put(p, p.events.splice(0, 5000));
    } catch (e) {
      this.rt.logger.debug(`execute-api: access log to ${p.group} not written: ${(e as Error).message}`);
      p.events.length = 0;
    } finally {
      p.flushing = undefined;
      if (p.events.length) p.flushing = this.flush(key, p);
      else this.pending.delete(key);
    }
  }

  private async put(p: Pending, events: { timestamp: number; message: string }[]): Promise<void> {
    const who = { ...this.rt.rootIdentity(p.account, p.region), invokedBy: "api-gateway" };
    const call = (op: string, input: Record<string, unknown>) => this.rt.call("cloudwatch-logs", op, input, who, { audit: false });
    const skey = `${p.account}/${p.region}/${p.group}/${p.stream}`;
    const ensure = async () => {
      if (this.made.has(skey)) return;
      try {
        await call("CreateLogStream", { logGroupName: p.group, logStreamName: p.stream });
      } catch (e) {
        if (!(e instanceof ServiceError && e.code === "ResourceAlreadyExistsException")) throw e;
      }
      this.made.add(skey);
    };
    await ensure();
    const put = () => call("PutLogEvents", { logGroupName: p.group, logStreamName: p.stream, logEvents: events });
    try {
      await put();
    } catch (e) {
      if (!(e instanceof ServiceError && e.code === "ResourceNotFoundException")) throw e;
      this.made.delete(skey);
      await ensure();
      await put();
    }
  }
}
