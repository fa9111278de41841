// A project's data delivery: the evaluation events its launches and experiments decide and the events
// PutProjectEvents records are written to its S3 bucket (one object per write) or its CloudWatch Logs group (one
// log event per event, in the stream `evidently-events`), through S3's and CloudWatch Logs' own operations
// in-process, as Evidently (invokedBy) — off the request's path, every request's lines of a project since the last
// write (20 ms) together. Lines are stored with the request that made them
// (a pending delivery) and removed once written, so a restart or kill -9 resumes what was acknowledged and not yet
// written (at least once: a write that lands just before a kill -9, its record not yet removed, is written again).
// A line is one JSON object: {event_type, event_timestamp (ISO-8601), project_arn, event_details}
// (unverified: AWS's delivered format is not documented in the sources at hand); the S3 key is
// `<prefix>/evidently-events/<account>/<region>/<project>/<yyyy>/<mm>/<dd>/<hh>/<id>.json` (unverified).
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import type { ServiceHost } from "../../core/service.js";
import { evState, tables, type DeliveryRec, type ProjectRec } from "./state.js";

export const STREAM = "evidently-events";

export interface EvInstance {
  delivery: Delivery;
}

const line = (type: string, p: ProjectRec, ts: number, data: string) =>
  JSON.stringify({ event_type: type, event_timestamp: new Date(ts).toISOString(), project_arn: p.arn, event_details: JSON.parse(data) as unknown });

export const evaluationLine = (_ctx: HandlerContext, p: ProjectRec, ts: number, data: string) => line("aws.evidently.evaluation", p, ts, data);
export const eventLine = (p: ProjectRec, type: string, ts: number, data: string) => line(type, p, ts, data);

/** Stores the lines for delivery (with the caller's writes) and has them written in the background. */
export function queueDelivery(ctx: HandlerContext, p: ProjectRec, lines: string[]): void {
  if (!lines.length || !p.dataDelivery) return;
  const id = `${String(ctx.now()).padStart(15, "0")}-${uuid4()}`;
  tables(ctx).deliveries.put(id, { project: p.name, lines, created: ctx.now() });
  ctx.startAtBoot();
  ctx.instance<EvInstance>().delivery.kick(ctx.account, ctx.region);
}

export class Delivery {
  private running = Promise.resolve();
  /** Account/region scopes with deliveries waiting for the next flush. */
  private readonly due = new Set<string>();
  constructor(private readonly host: ServiceHost) {}

  /** Everything acknowledged before a restart and not yet written. */
  resume(): void {
    for (const { account, region } of evState.all(this.host, "deliveries")) this.kick(account, region);
  }

  /** Has the scope's pending lines written soon: every request's lines of one project since the last flush go out together. */
  kick(account: string, region: string): void {
    const scope = `${account}/${region}`;
    if (this.due.has(scope)) return;
    this.due.add(scope);
    this.running = this.running.then(async () => {
      await new Promise((r) => setTimeout(r, 20));
      this.due.delete(scope);
      await this.flush(account, region);
    });
  }

  /** Resolves once every delivery queued so far is done. */
  async drain(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.running) {
      last = this.running;
      await last;
    }
  }

  private async flush(account: string, region: string): Promise<void> {
    const t = evState.at(this.host, account, region);
    const byProject = new Map<string, { keys: string[]; lines: string[]; created: number }>();
    for (const { key, value } of t.deliveries.list()) {
      let b = byProject.get(value.project);
      if (!b) byProject.set(value.project, (b = { keys: [], lines: [], created: value.created }));
      b.keys.push(key);
      b.lines.push(...value.lines);
    }
    const who = { ...this.host.rootIdentity(account, region), invokedBy: "evidently" };
    for (const [name, b] of byProject) {
      const project = t.projects.get(name);
      try {
        if (project?.dataDelivery?.s3Destination) await this.toS3(project, b, b.keys[0]!, account, region, who);
        else if (project?.dataDelivery?.cloudWatchLogs?.logGroup) await this.toLogs(project.dataDelivery.cloudWatchLogs.logGroup, b, who);
      } catch (e) {
        this.host.logger.error(`evidently: could not deliver project ${name}'s events`, e);
      }
      for (const k of b.keys) t.deliveries.delete(k);
    }
  }

  private async toS3(p: ProjectRec, rec: Pick<DeliveryRec, "lines" | "created">, id: string, account: string, region: string, who: Who) {
    const d = new Date(rec.created);
    const pad = (n: number) => String(n).padStart(2, "0");
    const dest = p.dataDelivery!.s3Destination!;
    const prefix = dest.prefix ? `${dest.prefix.replace(/\/$/, "")}/` : "";
    const key = `${prefix}evidently-events/${account}/${region}/${p.name}/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/${id}.json`;
    await this.host.call(
      "s3",
      "PutObject",
      { Bucket: dest.bucket, Key: key, Body: Buffer.from(`${rec.lines.join("\n")}\n`), ContentType: "application/json" },
      who,
    );
  }

  private async toLogs(group: string, rec: Pick<DeliveryRec, "lines">, who: Who) {
    try {
      await this.host.call("cloudwatch-logs", "CreateLogStream", { logGroupName: group, logStreamName: STREAM }, who);
    } catch (e) {
      if (!(e instanceof ServiceError && e.code === "ResourceAlreadyExistsException")) throw e;
    }
    const logEvents = rec.lines.map((message) => ({ timestamp: Date.parse((JSON.parse(message) as { event_timestamp: string }).event_timestamp), message }));
    logEvents.sort((a, b) => a.timestamp - b.timestamp);
    for (let i = 0; i < logEvents.length; i += 10_000)
      await this.host.call("cloudwatch-logs", "PutLogEvents", { logGroupName: group, logStreamName: STREAM, logEvents: logEvents.slice(i, i + 10_000) }, who);
  }
}

type Who = ReturnType<ServiceHost["rootIdentity"]>;
