// A project's data delivery: the evaluation events its launches and experiments decide and the events
// PutProjectEvents records are written to its S3 bucket (one object per request) or its CloudWatch Logs group (one
// log event per event, in the stream `evidently-events`), through S3's and CloudWatch Logs' own operations
// in-process, as Evidently (invokedBy) — off the request's path. Lines are stored with the request that made them
// (a pending delivery) and removed once written, so a restart or kill -9 resumes what was acknowledged and not yet
// written. A line is one JSON object: {event_type, event_timestamp (ISO-8601), project_arn, event_details}
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
  ctx.instance<EvInstance>().delivery.kick(ctx.account, ctx.region, id);
}

export class Delivery {
  private running = Promise.resolve();
  constructor(private readonly host: ServiceHost) {}

  /** Everything acknowledged before a restart and not yet written. */
  resume(): void {
    for (const { account, region, tables: t } of evState.all(this.host, "deliveries")) for (const e of t.deliveries.list()) this.kick(account, region, e.key);
  }

  kick(account: string, region: string, id: string): void {
    this.running = this.running.then(() => this.deliver(account, region, id));
  }

  /** Resolves once every delivery queued so far is done. */
  drain(): Promise<void> {
    return this.running;
  }

  private async deliver(account: string, region: string, id: string): Promise<void> {
    const t = evState.at(this.host, account, region);
    const rec = t.deliveries.get(id);
    if (!rec) return;
    const project = t.projects.get(rec.project);
    const who = { ...this.host.rootIdentity(account, region), invokedBy: "evidently" };
    try {
      if (project?.dataDelivery?.s3Destination) await this.toS3(project, rec, id, account, region, who);
      else if (project?.dataDelivery?.cloudWatchLogs?.logGroup) await this.toLogs(project.dataDelivery.cloudWatchLogs.logGroup, rec, who);
    } catch (e) {
      this.host.logger.error(`evidently: could not deliver project ${rec.project}'s events`, e);
    }
    t.deliveries.delete(id);
  }

  private async toS3(p: ProjectRec, rec: DeliveryRec, id: string, account: string, region: string, who: ReturnType<ServiceHost["rootIdentity"]>) {
    const d = new Date(rec.created);
    const pad = (n: number) => String(n).padStart(2, "0");
    const prefix = p.dataDelivery!.s3Destination!.prefix ? `${p.dataDelivery!.s3Destination!.prefix.replace(/\/$/, "")}/` : "";
    const key = `${prefix}evidently-events/${account}/${region}/${p.name}/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/${id}.json`;
    await this.host.call(
      "s3",
      "PutObject",
      { Bucket: p.dataDelivery!.s3Destination!.bucket, Key: key, Body: Buffer.from(`${rec.lines.join("\n")}\n`), ContentType: "application/json" },
      who,
    );
  }

  private async toLogs(group: string, rec: DeliveryRec, who: ReturnType<ServiceHost["rootIdentity"]>) {
    try {
      await this.host.call("cloudwatch-logs", "CreateLogStream", { logGroupName: group, logStreamName: STREAM }, who);
    } catch (e) {
      if (!(e instanceof ServiceError && e.code === "ResourceAlreadyExistsException")) throw e;
    }
    const logEvents = rec.lines.map((message) => ({ timestamp: Date.parse((JSON.parse(message) as { event_timestamp: string }).event_timestamp), message }));
    logEvents.sort((a, b) => a.timestamp - b.timestamp);
    await this.host.call("cloudwatch-logs", "PutLogEvents", { logGroupName: group, logStreamName: STREAM, logEvents }, who);
  }
}
