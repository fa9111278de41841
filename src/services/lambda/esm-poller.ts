// Event source mapping pollers for SQS: for every Enabled mapping, workers long-poll the queue (as the account
// that owns the mapping), gather a batch (BatchSize within MaximumBatchingWindowInSeconds), drop what the
// FilterCriteria rejects, invoke the function synchronously with the event AWS sends, then delete what
// succeeded (all, or all but the ReportBatchItemFailures answer). Failed and throttled batches are left in the
// queue: they come back after the visibility timeout and SQS's redrive policy takes them to the dead-letter
// queue. Workers scale from 5 up while batches come back full, bounded by ScalingConfig.MaximumConcurrency and
// the function's reserved concurrency. The mapping's transient states (Creating, Updating, Enabling, Disabling,
// Deleting) settle here, one tick after the API call, or once the pollers have stopped.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import type { Message } from "../sqs/api.generated.js";
import type { FilterCriteria, FunctionResponseType, ScalingConfig } from "./api.generated.js";
import { matches, parsePattern, type Pattern } from "./esm-filter.js";
import { runNow } from "./invoke.js";
import type { Located } from "../../core/state.js";
import { lambdaState, resolveFunction, tables } from "./state.js";
import { running, type RunningHolder } from "./running.js";

export type EsmState = "Creating" | "Enabling" | "Enabled" | "Disabling" | "Disabled" | "Updating" | "Deleting";

/** One event source mapping as stored (table `event-source-mappings`, per account+region, key = UUID). */
export interface EsmRec {
  uuid: string;
  eventSourceArn: string;
  /** The function's name and the qualifier the mapping names (alias or version), if any. */
  functionName: string;
  qualifier?: string;
  functionArn: string;
  batchSize: number;
  window: number;
  filterCriteria?: FilterCriteria;
  functionResponseTypes: FunctionResponseType[];
  scaling?: ScalingConfig;
  /** What the caller asked for; State follows it. */
  enabled: boolean;
  state: EsmState;
  /** Epoch ms. */
  lastModified: number;
  tags?: Record<string, string>;
}

export const ESM_TABLE = "event-source-mappings";
export const esmTable = (ctx: Located) => lambdaState.of(ctx).eventSourceMappings;

/** arn:aws:sqs:region:account:name → its parts. */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } | undefined {
  const m = /^arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(?:\.fifo)?)$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

const INITIAL_POLLERS = 5;
const DEFAULT_MAX_CONCURRENCY = 1000;
/** Long polls stay short so that disabling a mapping stops its pollers within a couple of seconds. */
const POLL_WAIT_SECONDS = Number(process.env.STRATUS_ESM_POLL_WAIT_SECONDS ?? 2);
const SYNC_PAYLOAD_LIMIT = 6_291_456;
/** AWS adds up to 300 concurrent batches a minute. */
const SCALE_UP_INTERVAL_MS = 200;
const ERROR_BACKOFF_MS = 1000;

/** The pollers of this server (a Lambda handler's context or the host; undefined before Lambda started there). */
export const pollersOf = (h: RunningHolder): Pollers | undefined => running(h)?.pollers;

/** Lambda's start hook: resumes every mapping (all accounts and regions); the pollers stop with `stop()`. */
export function startPollers(runtime: ServiceHost): Pollers {
  const p = new Pollers(runtime);
  p.resume();
  // Pollers stop as the server starts closing: its long polls answer at once from then on.
  runtime.onClosing(() => p.stop());
  return p;
}

class Stopped extends Error {}

/** A message as SQS's ReceiveMessage answers it (its generated type; imported as a type only). */
type SqsMessage = Message;

export class Pollers {
  private readonly runners = new Map<string, Runner>();
  stopped = false;
  private fireStop!: () => void;
  /** Resolves when the server stops: every await in a poller races it, so nothing touches the store after. */
  readonly stopSignal = new Promise<void>((r) => (this.fireStop = r));

  constructor(readonly runtime: ServiceHost) {}

  context(account: string, region: string): HandlerContext {
    return this.runtime.context("lambda", "EventSourceMappingPoller", this.runtime.rootIdentity(account, region));
  }

  /** After a restart: finish the transitions that were under way and start the Enabled mappings. */
  resume(): void {
    for (const { account, region, tables } of lambdaState.all(this.runtime, "eventSourceMappings")) {
      for (const { key } of tables.eventSourceMappings.list()) this.settle(account, region, key);
    }
  }

  /** A handler changed a mapping: its state settles on the next tick, and its pollers follow. */
  changed(account: string, region: string, uuid: string): void {
    this.runtime.scheduler.after(0, () => this.settle(account, region, uuid));
  }

  /** Pollers running for a mapping now (for tests and scaling checks). */
  workers(account: string, region: string, uuid: string): number {
    return this.runners.get(`${account}/${region}/${uuid}`)?.workers ?? 0;
  }

  private settle(account: string, region: string, uuid: string): void {
    if (this.stopped) return;
    const t = esmTable(this.context(account, region));
    const rec = t.get(uuid);
    if (!rec) return;
    if (rec.state === "Creating" || rec.state === "Enabling" || rec.state === "Updating") {
      rec.state = rec.enabled ? "Enabled" : "Disabled";
      t.put(uuid, rec);
    }
    const key = `${account}/${region}/${uuid}`;
    const runner = this.runners.get(key);
    if (rec.state === "Enabled") {
      if (!runner) {
        const r = new Runner(this, account, region, uuid);
        this.runners.set(key, r);
        r.start();
      }
      return;
    }
    // Disabling, Disabled, Deleting: the pollers finish the batches they hold, then the state settles.
    if (runner) {
      if (!runner.stopping) void runner.stop().then(() => this.settle(account, region, uuid));
      return;
    }
    if (rec.state === "Disabling") {
      rec.state = "Disabled";
      t.put(uuid, rec);
    } else if (rec.state === "Deleting") {
      t.delete(uuid);
    }
  }

  /** Called by a runner whose last worker ended. */
  ended(r: Runner): void {
    const key = `${r.account}/${r.region}/${r.uuid}`;
    if (this.runners.get(key) === r) this.runners.delete(key);
  }

  stop(): void {
    this.stopped = true;
    this.fireStop();
    for (const r of this.runners.values()) void r.stop();
    this.runners.clear();
  }
}

/** The pollers of one mapping. */
class Runner {
  workers = 0;
  stopping = false;
  private readonly ctx: HandlerContext;
  private queueUrl?: string;
  private lastScaleUp = 0;
  private finished!: () => void;
  private readonly done = new Promise<void>((r) => (this.finished = r));
  private wakeSleepers = new Set<() => void>();

  constructor(
    readonly pollers: Pollers,
    readonly account: string,
    readonly region: string,
    readonly uuid: string,
  ) {
    this.ctx = pollers.context(account, region);
  }

  start(): void {
    const rec = this.record();
    const n = rec ? Math.min(INITIAL_POLLERS, this.limit(rec)) : 0;
    for (let i = 0; i < Math.max(1, n); i++) this.spawn();
  }

  stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.wakeSleepers) w();
    if (this.workers === 0) this.finished();
    return this.done;
  }

  private halted(): boolean {
    return this.stopping || this.pollers.stopped;
  }

  private spawn(): void {
    this.workers++;
    void this.loop()
      .catch((e: unknown) => {
        if (!(e instanceof Stopped)) this.pollers.runtime.logger.warn(`event source mapping ${this.uuid}: poller ended: ${(e as Error).message}`);
      })
      .finally(() => {
        this.workers--;
        if (this.workers === 0) {
          this.pollers.ended(this);
          this.finished();
        }
      });
  }

  private record(): EsmRec | undefined {
    if (this.pollers.stopped) throw new Stopped();
    return esmTable(this.ctx).get(this.uuid);
  }

  /** Concurrent batches this mapping may have: its MaximumConcurrency, within the function's reserved concurrency. */
  private limit(rec: EsmRec): number {
    const fn = tables(this.ctx).functions.get(rec.functionName);
    const reserved = fn?.reservedConcurrency ?? Infinity;
    return Math.max(1, Math.min(rec.scaling?.MaximumConcurrency ?? DEFAULT_MAX_CONCURRENCY, reserved));
  }

  /** Races a promise against the server's stop. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    const out = await Promise.race([p, this.pollers.stopSignal.then(() => Stopped)]);
    if (out === Stopped || this.pollers.stopped) throw new Stopped();
    return out as T;
  }

  private sleep(ms: number): Promise<void> {
    return this.guard(
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakeSleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        timer.unref();
        this.wakeSleepers.add(done);
      }),
    );
  }

  private async loop(): Promise<void> {
    while (!this.halted()) {
      const rec = this.record();
      if (!rec || rec.state === "Disabling" || rec.state === "Disabled" || rec.state === "Deleting") return;
      let batch: SqsMessage[];
      try {
        batch = await this.gather(rec);
      } catch (e) {
        if (e instanceof Stopped) throw e;
        // Queue gone or unreachable: look its URL up again after a pause.
        this.queueUrl = undefined;
        await this.sleep(ERROR_BACKOFF_MS);
        continue;
      }
      if (batch.length === 0) {
        // Scale down: an idle poller above the initial number ends.
        if (this.workers > INITIAL_POLLERS) return;
        continue;
      }
      const limit = this.limit(rec);
      const now = Date.now();
      if (batch.length >= Math.min(rec.batchSize, 10) && this.workers < limit && !this.halted() && now - this.lastScaleUp >= SCALE_UP_INTERVAL_MS) {
        this.lastScaleUp = now;
        this.spawn();
      }
      const outcome = await this.process(rec, batch);
      if (outcome === "throttled") {
        if (this.workers > 1) return; // fewer concurrent batches
        await this.sleep(ERROR_BACKOFF_MS);
      } else if (outcome === "error") {
        await this.sleep(ERROR_BACKOFF_MS);
      }
    }
  }

  private async sqs<O>(operation: string, input: Record<string, unknown>, as: { account: string; region: string }): Promise<O> {
    if (this.pollers.stopped) throw new Stopped();
    const rt = this.pollers.runtime;
    const who = { ...rt.rootIdentity(as.account, as.region), invokedBy: "lambda" };
    // The pollers' receives run around the clock (several a second per mapping, mostly empty): they stay out of
    // the audit trail, as Lambda's polling stays out of CloudTrail's event history. What they delete is recorded.
    const call = rt.call("sqs", operation, input, who, { audit: operation !== "ReceiveMessage" });
    return this.guard(call as Promise<O>);
  }

  private async url(rec: EsmRec): Promise<{ url: string; region: string }> {
    const q = parseQueueArn(rec.eventSourceArn);
    if (!q) throw new Error(`not an SQS queue ARN: ${rec.eventSourceArn}`);
    if (!this.queueUrl) {
      const out = await this.sqs<{ QueueUrl: string }>("GetQueueUrl", { QueueName: q.name }, q);
      this.queueUrl = out.QueueUrl;
    }
    return { url: this.queueUrl, region: q.region };
  }

  private async receive(rec: EsmRec, max: number, waitSeconds: number): Promise<SqsMessage[]> {
    const { url, region } = await this.url(rec);
    const out = await this.sqs<{ Messages?: SqsMessage[] }>(
      "ReceiveMessage",
      { QueueUrl: url, MaxNumberOfMessages: max, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] },
      { account: this.account, region },
    );
    return out.Messages ?? [];
  }

  /** Up to BatchSize messages: the first long poll, then more until the batching window closes. */
  private async gather(rec: EsmRec): Promise<SqsMessage[]> {
    const max = rec.batchSize;
    const out = await this.receive(rec, Math.min(10, max), POLL_WAIT_SECONDS);
    if (out.length === 0 || rec.window === 0) return out;
    let bytes = out.reduce((n, m) => n + Buffer.byteLength(m.Body ?? ""), 0);
    const deadline = Date.now() + rec.window * 1000;
    while (out.length < max && bytes < SYNC_PAYLOAD_LIMIT && !this.halted()) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const wait = Math.min(POLL_WAIT_SECONDS, Math.floor(left / 1000));
      const more = await this.receive(rec, Math.min(10, max - out.length), wait);
      for (const m of more) {
        out.push(m);
        bytes += Buffer.byteLength(m.Body ?? "");
      }
      if (more.length === 0 && wait === 0) await this.sleep(Math.min(left, 50));
    }
    return out;
  }

  /** Filters, invokes and deletes one batch. */
  private async process(rec: EsmRec, batch: SqsMessage[]): Promise<"ok" | "failed" | "throttled" | "error"> {
    const q = parseQueueArn(rec.eventSourceArn)!;
    let records = batch.map((m) => sqsRecord(m, rec.eventSourceArn, q.region));
    const patterns = (rec.filterCriteria?.Filters ?? []).flatMap((f) => (f.Pattern ? [parsePattern(f.Pattern)] : []));
    if (patterns.length) {
      const dropped = records.filter((r) => !passes(patterns, r));
      records = records.filter((r) => passes(patterns, r));
      // AWS deletes the messages no filter matches.
      if (dropped.length)
        await this.deleteMessages(
          rec,
          dropped.map((r) => r.receiptHandle),
        );
      if (records.length === 0) return "ok";
    }
    let result: Awaited<ReturnType<typeof runNow>>;
    try {
      const r = resolveFunction(this.ctx, rec.functionArn);
      const payload = Buffer.from(JSON.stringify({ Records: records }));
      result = await this.guard(runNow(this.ctx, r, payload, { requestId: randomUUID() }));
    } catch (e) {
      if (e instanceof Stopped) throw e;
      // Throttled (429) or not runnable: the messages stay and return after their visibility timeout.
      return (e as { name?: string }).name === "TooManyRequestsException" ? "throttled" : "error";
    }
    if (result.functionError) return "failed";
    let failed: Set<string> | "all" = new Set();
    if (rec.functionResponseTypes.includes("ReportBatchItemFailures")) failed = batchItemFailures(result.payload, new Set(records.map((r) => r.messageId)));
    if (failed === "all") return "failed";
    const keep = failed;
    await this.deleteMessages(
      rec,
      records.filter((r) => !keep.has(r.messageId)).map((r) => r.receiptHandle),
    );
    return keep.size ? "failed" : "ok";
  }

  private async deleteMessages(rec: EsmRec, handles: string[]): Promise<void> {
    if (!handles.length) return;
    const { url, region } = await this.url(rec);
    for (let i = 0; i < handles.length; i += 10) {
      const Entries = handles.slice(i, i + 10).map((h, j) => ({ Id: String(i + j), ReceiptHandle: h }));
      await this.sqs("DeleteMessageBatch", { QueueUrl: url, Entries }, { account: this.account, region });
    }
  }
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");

/** One record of the event Lambda sends for SQS. */
function sqsRecord(m: SqsMessage, arn: string, region: string): SqsRecord {
  const messageAttributes: SqsRecord["messageAttributes"] = {};
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: b64(a.BinaryValue) } : {}),
      stringListValues: a.StringListValues ?? [],
      binaryListValues: (a.BinaryListValues ?? []).map(b64),
      dataType: a.DataType ?? "String",
    };
  }
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: { ...(m.Attributes ?? {}) },
    messageAttributes,
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    md5OfBody: m.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: region,
  };
}

/** Filters see the record with its body parsed when it is JSON. */
function passes(patterns: Pattern[], r: SqsRecord): boolean {
  let body: unknown = r.body;
  try {
    body = JSON.parse(r.body);
  } catch {
    /* a plain-text body is matched as a string */
  }
  const event = { ...r, body };
  return patterns.some((p) => matches(p, event));
}

/**
 * The ReportBatchItemFailures answer, by AWS's rules: a null or empty answer, or a null or empty
 * batchItemFailures, means all succeeded; an answer that is not that shape, or an itemIdentifier that is
 * missing, empty or not a message of the batch, fails the whole batch.
 */
export function batchItemFailures(payload: Buffer, ids: Set<string>): Set<string> | "all" {
  const text = payload.toString("utf8").trim();
  if (text === "" || text === "null") return new Set();
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return "all";
  }
  if (v === null) return new Set();
  if (typeof v !== "object" || Array.isArray(v)) return "all";
  const list = (v as Record<string, unknown>).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return "all";
  const failed = new Set<string>();
  for (const item of list) {
    const id = item && typeof item === "object" ? (item as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "" || !ids.has(id)) return "all";
    failed.add(id);
  }
  return failed;
}
