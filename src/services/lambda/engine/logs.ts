// Function output to CloudWatch Logs, as Lambda writes it: group /aws/lambda/<name> (or LoggingConfig.LogGroup),
// one stream per execution environment (2024/01/31/[$LATEST]<id>), the START/END/REPORT platform lines around
// each invocation. Writes go through the Logs API in the background, in order, never on the invocation's path.
import { ServiceError } from "../../../core/errors.js";
import type { ServiceHost } from "../../../core/service.js";

export interface LogTarget {
  account: string;
  region: string;
  group: string;
  stream: string;
}

interface Pending {
  target: LogTarget;
  events: { timestamp: number; message: string }[];
  flushing?: Promise<void>;
}

export const streamName = (version: string, instanceId: string, now = Date.now()) => {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/[${version}]${instanceId}`;
};

export class LogSink {
  private readonly streams = new Map<string, Pending>();
  /** Groups and streams this server created (or found); if one is deleted meanwhile, PutLogEvents says so and it is made again. */
  private readonly made = new Set<string>();

  constructor(private readonly runtime: ServiceHost) {}

  write(target: LogTarget, events: { timestamp: number; message: string }[]): void {
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
      // Let the rest of this turn's lines join the batch.
      await new Promise((r) => setImmediate(r));
      while (p.events.length) await this.put(p, takeBatch(p.events));
    } catch (e) {
      this.runtime.logger.error(`Lambda could not write to log group ${p.target.group}`, e);
    } finally {
      p.flushing = undefined;
      if (p.events.length) p.flushing = this.flush(key, p);
      else this.streams.delete(key);
    }
  }

  private async put(p: Pending, events: { timestamp: number; message: string }[]): Promise<void> {
    const { account, region, group, stream } = p.target;
    const who = { ...this.runtime.rootIdentity(account, region), invokedBy: "lambda" };
    const call = (op: string, input: Record<string, unknown>) => this.runtime.call("cloudwatch-logs", op, input, who);
    const exists = async (op: string, input: Record<string, unknown>) => {
      try {
        await call(op, input);
      } catch (e) {
        if (!(e instanceof ServiceError && e.code === "ResourceAlreadyExistsException")) throw e;
      }
    };
    const gkey = `${account}/${region}/${group}`;
    const skey = `${gkey}/${stream}`;
    const ensure = async () => {
      if (!this.made.has(gkey)) {
        await exists("CreateLogGroup", { logGroupName: group });
        this.made.add(gkey);
      }
      if (!this.made.has(skey)) {
        await exists("CreateLogStream", { logGroupName: group, logStreamName: stream });
        this.made.add(skey);
      }
    };
    await ensure();
    // PutLogEvents wants events in time order; lines from stdout and stderr can interleave slightly out of it.
    events.sort((a, b) => a.timestamp - b.timestamp);
    const put = () => call("PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents: events });
    try {
      await put();
    } catch (e) {
      if (!(e instanceof ServiceError && e.code === "ResourceNotFoundException")) throw e;
      // Someone deleted the group or stream: make them again, as Lambda does.
      this.made.delete(gkey);
      this.made.delete(skey);
      await ensure();
      await put();
    }
  }
}

/** The next PutLogEvents batch: at most 10,000 events and 1 MB (each event counts its bytes plus 26). */
function takeBatch(events: { timestamp: number; message: string }[]): { timestamp: number; message: string }[] {
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
