// Log lines a service delivers to CloudWatch Logs on a caller's behalf (Lambda's function output, API Gateway's
// access and execution logs): batched per stream, written in order through the Logs API (PutLogEvents) in the
// background, never on the request's path; the group and stream made when missing (a group only where the service
// makes it: API Gateway's access logs need the user's group to exist, else their lines are dropped).
import { ServiceError } from "./errors.js";
import type { ServiceHost } from "./service.js";

export interface LogTarget {
  account: string;
  region: string;
  group: string;
  stream: string;
  /** Make the group when it is missing (default true); false drops the lines of a missing group. */
  createGroup?: boolean;
}

export interface LogLine {
  timestamp: number;
  message: string;
}

export interface LogDeliveryOptions {
  /** The delivering service's folder name (CloudTrail's invokedBy). */
  service: string;
  /** Record its Logs calls in the audit trail (default true). */
  audit?: boolean;
  /** How long lines wait for more to join their batch (default: the rest of this turn). */
  delayMs?: number;
}

interface Pending {
  target: LogTarget;
  events: LogLine[];
  flushing?: Promise<void>;
}

export class LogDelivery {
  private readonly streams = new Map<string, Pending>();
  /** Groups and streams made (or found); if one is deleted meanwhile, PutLogEvents says so and it is made again. */
  private readonly made = new Set<string>();

  constructor(
    private readonly rt: ServiceHost,
    private readonly opts: LogDeliveryOptions,
  ) {}

  write(target: LogTarget, events: LogLine[]): void {
    const key = `${target.account}/${target.region}/${target.group}/${target.stream}`;
    let p = this.streams.get(key);
    if (!p) this.streams.set(key, (p = { target, events: [] }));
    p.events.push(...events);
    if (!p.flushing) p.flushing = this.flush(key, p);
  }

  /** Resolves once everything written so far is in CloudWatch Logs. */
  async drain(): Promise<void> {
    for (;;) {
      const busy = [...this.streams.values()].map((p) => p.flushing).filter(Boolean);
      if (!busy.length) return;
      await Promise.all(busy);
    }
  }

  private async flush(key: string, p: Pending): Promise<void> {
    try {
      const delay = this.opts.delayMs;
      await new Promise((r) => (delay ? setTimeout(r, delay) : setImmediate(r)));
      while (p.events.length) await this.put(p.target, takeBatch(p.events));
    } catch (e) {
      if (p.target.createGroup === false && e instanceof ServiceError && e.code === "ResourceNotFoundException") {
        this.rt.logger.debug(`${this.opts.service}: no log group ${p.target.group}; its lines are dropped`);
        p.events.length = 0;
      } else this.rt.logger.error(`${this.opts.service} could not write to log group ${p.target.group}`, e);
    } finally {
      p.flushing = undefined;
      if (p.events.length) p.flushing = this.flush(key, p);
      else this.streams.delete(key);
    }
  }

  private async put(t: LogTarget, events: LogLine[]): Promise<void> {
    const who = Object.assign({}, this.rt.rootIdentity(t.account, t.region), { invokedBy: this.opts.service });
    const call = (op: string, input: Record<string, unknown>) => this.rt.call("cloudwatch-logs", op, input, who, { audit: this.opts.audit ?? true });
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
        if (t.createGroup !== false) await exists("CreateLogGroup", { logGroupName: t.group });
        this.made.add(gkey);
      }
      if (!this.made.has(skey)) {
        await exists("CreateLogStream", { logGroupName: t.group, logStreamName: t.stream });
        this.made.add(skey);
      }
    };
    await ensure();
    // PutLogEvents wants events in time order; lines from stdout and stderr can interleave slightly out of it.
    events.sort((a, b) => a.timestamp - b.timestamp);
    const put = () => call("PutLogEvents", { logGroupName: t.group, logStreamName: t.stream, logEvents: events });
    try {
      await put();
    } catch (e) {
      if (!(e instanceof ServiceError && e.code === "ResourceNotFoundException")) throw e;
      // Someone deleted the group or stream: make them again (a group only where the service makes it).
      this.made.delete(gkey);
      this.made.delete(skey);
      await ensure();
      await put();
    }
  }
}

/** The next PutLogEvents batch: at most 10,000 events and 1 MB (each event counts its bytes plus 26). */
function takeBatch(events: LogLine[]): LogLine[] {
  let bytes = 0;
  let n = 0;
  while (n < events.length && n < 10_000) {
    const size = Buffer.byteLength(events[n]!.message, "utf8") + 26;
    if (n > 0 && bytes + size > 1_048_576) break;
    bytes += size;
    n++;
  }
  return events.splice(0, n);
}

/** The log group a destination ARN names: arn:aws:logs:<region>:<account>:log-group:<name>[:*]. */
export function logGroupOfArn(arn: string): { account: string; region: string; group: string } | undefined {
  const m = /^arn:aws[\w-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, group: m[3]! } : undefined;
}
