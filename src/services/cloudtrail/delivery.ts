// Delivery of a trail's pending records: gzip'd {"Records":[…]} log files in its bucket at AWS's key
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html, "Finding your
// CloudTrail log files"):
//   <prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alphanumerics>.json.gz
// (Insights under CloudTrail-Insight/), written through S3's PutObject in-process (SSE-KMS with the trail's key), then
// one CloudWatch Logs event per record in stream <account>_CloudTrail_<region>, then an SNS notification naming the
// file ({"s3Bucket": …, "s3ObjectKey": [ … ]}, the message AWS documents under "Configuring Amazon SNS notifications
// for CloudTrail").
//
// Durability: pending chunks are deleted only after their file is written, in the transaction that records the file
// for the next digest. A file's key and contents follow from its chunks (time of the first, a hash of their keys), so
// a delivery interrupted by a crash is written again to the same key with the same records: no duplicate file.
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import { isServiceError } from "../../core/errors.js";
import { transaction } from "../../core/state.js";
import type { Identity } from "../../core/service.js";
import { logGroupOf } from "./checks.js";
import type { EventCursor } from "../../core/store/events.js";
import type { TrailEngine } from "./engine.js";
import { ctState, type PendingChunk, type TrailRec } from "./state.js";

// At most this many records, and (as far as the texts held in memory tell) this many bytes, in one log file: AWS's files
// hold a few minutes of a busy account's events; a file costs a PutObject, its fsync and a transaction, so a busy
// second's records (~15,000 GetCallerIdentity, 9 MB) are one file rather than several.
const MAX_RECORDS_PER_FILE = 20000;
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const LOGS_BATCH = 1000;

// Compressed in libuv's thread pool, off the event loop that answers requests.
export const gzipAsync = promisify(gzip);
// Log files at zlib's fastest level: any valid gzip is what AWS's tools read (validate-logs hashes the stored object
// as it is), and level 1 costs under half of the default level's CPU per record for files ~4% larger (measured on
// 2,000 GetCallerIdentity records: 1.3 MB to 101 KB at level 1, 97 KB at level 6). No other setting was faster on
// 15,000 such records (1.6–2.1 µs each: memLevel 1–9, windowBits 9–15, Z_RLE and Z_HUFFMAN_ONLY, which are slower).
// Output in one 1 MB chunk rather than zlib's 16 KB: a busy second's file (~750 KB compressed) in one pass through the
// thread pool instead of ~50 round trips, each with its callback on the event loop.
const LOG_FILE_GZIP = { level: constants.Z_BEST_SPEED, chunkSize: 1024 * 1024 };

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** YYYYMMDDTHHmmZ, or with seconds YYYYMMDDTHHmmssZ. */
export function stamp(ms: number, withSeconds = false): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  return `${base}${withSeconds ? pad(d.getUTCSeconds()) : ""}Z`;
}

export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 16 alphanumerics derived from `seed` (the same file gets the same name when written again). */
function alphanumerics(seed: string): string {
  const h = createHash("sha256").update(seed).digest();
  let out = "";
  for (let i = 0; i < 16; i++) out += ALNUM[h[i] % ALNUM.length];
  return out;
}

export function prefixed(rec: TrailRec, rest: string): string {
  return `${rec.prefix ? `${rec.prefix}/` : ""}${rest}`;
}

/** CloudTrail's own calls to S3, Logs and SNS: as the trail's account, on the service's behalf, not audited. */
export function serviceIdentity(engine: TrailEngine, account: string, region: string): Identity {
  return { ...engine.host.rootIdentity(account, region), invokedBy: "cloudtrail" };
}

export async function putObject(engine: TrailEngine, rec: TrailRec, key: string, body: Buffer, metadata?: Record<string, string>): Promise<void> {
  const input: Record<string, unknown> = { Bucket: rec.bucket, Key: key, Body: body, ACL: "bucket-owner-full-control", ContentType: "application/json" };
  if (metadata) input.Metadata = metadata;
  if (rec.kmsKeyId) {
    input.ServerSideEncryption = "aws:kms";
    input.SSEKMSKeyId = rec.kmsKeyId;
  }
  await engine.host.call("s3", "PutObject", input, serviceIdentity(engine, rec.account, rec.homeRegion), { audit: false });
}

export async function deliverAll(engine: TrailEngine): Promise<void> {
  // Texts held for chunks no scope lists are a rolled-back batch's: dropped at the end.
  const held = engine.texts.keys();
  const listed = new Set<string>();
  for (const { account, region, tables } of ctState.all(engine.host, "pending")) {
    const pending = tables.pending.list();
    if (!pending.length) continue;
    for (const e of pending) listed.add(e.key);
    const byTrail = new Map<string, { key: string; value: PendingChunk }[]>();
    for (const e of pending) {
      const list = byTrail.get(e.value.trail) ?? [];
      list.push(e);
      byTrail.set(e.value.trail, list);
    }
    for (const [name, entries] of byTrail) {
      const rec = ctState.at(engine.host, account, region).trails.get(name);
      if (!rec) {
        // The trail was deleted: what it had not delivered goes with it, as on AWS.
        for (const e of entries) {
          tables.pending.delete(e.key);
          engine.texts.drop(e.key);
        }
        continue;
      }
      const groups = new Map<string, { key: string; value: PendingChunk }[]>();
      for (const e of entries) {
        const g = `${e.value.region}|${e.value.insight ? 1 : 0}`;
        const list = groups.get(g);
        if (list) list.push(e);
        else groups.set(g, [e]);
      }
      for (const group of groups.values()) {
        let start = 0;
        while (start < group.length) {
          let count = 0;
          let bytes = 0;
          let end = start;
          const size = (c: PendingChunk) => (c.seqs ? runsSize(c.seqs) : (c.ids ?? c.records ?? []).length) + (c.data?.length ?? 0);
          const held = (key: string) => engine.texts.get(key)?.length ?? 0;
          while (
            end < group.length &&
            (end === start || (count + size(group[end].value) <= MAX_RECORDS_PER_FILE && bytes + held(group[end].key) <= MAX_FILE_BYTES))
          ) {
            count += size(group[end].value);
            bytes += held(group[end++].key);
          }
          const ok = await deliverFile(engine, rec, group.slice(start, end));
          if (!ok) break;
          start = end;
        }
      }
    }
  }
  for (const key of held) if (!listed.has(key)) engine.texts.drop(key);
  if (listed.size) engine.texts.busy();
  else engine.texts.idle(engine.host.clock.now());
}

async function deliverFile(engine: TrailEngine, rec: TrailRec, chunks: { key: string; value: PendingChunk }[]): Promise<boolean> {
  const { host } = engine;
  const first = chunks[0].value;
  const region = first.region;
  const kind = first.insight ? "CloudTrail-Insight" : "CloudTrail";
  const oldest = Math.min(...chunks.map((c) => c.value.oldest));
  const newest = Math.max(...chunks.map((c) => c.value.newest));
  const toLogs = !first.insight && !!rec.logGroupArn;
  const { text, records } = fileOf(engine, rec.account, region, oldest, newest, chunks, toLogs);
  const at = Number.parseInt(chunks[0].key.slice(chunks[0].key.lastIndexOf("|") + 1, -4), 36) || oldest;
  const key = prefixed(
    rec,
    `AWSLogs/${rec.account}/${kind}/${region}/${datePath(at)}/${rec.account}_${kind}_${region}_${stamp(at)}_${alphanumerics(`${rec.arn}|${chunks[0].key}`)}.json.gz`,
  );
  const now = host.clock.now();
  const status = (fn: (r: TrailRec) => void) => {
    const t = ctState.at(host, rec.account, rec.homeRegion).trails;
    const cur = t.get(rec.name);
    if (cur) {
      fn(cur);
      t.put(rec.name, cur);
    }
  };
  try {
    await putObject(engine, rec, key, await gzipAsync(text, LOG_FILE_GZIP));
  } catch (e) {
    const code = isServiceError(e) ? e.code : "InternalFailure";
    status((r) => {
      r.status.latestDeliveryError = code;
      r.status.latestDeliveryAttemptTime = now;
    });
    // Read back on the next attempt: a destination that keeps failing holds no memory.
    for (const c of chunks) engine.texts.drop(c.key);
    return false;
  }
  if (toLogs) await deliverToLogs(engine, rec, region, records ?? [], status);
  const tables = ctState.at(host, rec.account, rec.homeRegion);
  transaction(host, () => {
    for (const c of chunks) tables.pending.delete(c.key);
    for (const c of chunks) engine.texts.drop(c.key);
    if (rec.validation && !first.insight) {
      const hash = createHash("sha256").update(text).digest("hex");
      tables.delivered.put(`${rec.name}|${region}|${key}`, { trail: rec.name, region, bucket: rec.bucket, key, hash, oldest, newest });
    }
    status((r) => {
      r.status.latestDeliveryTime = now;
      r.status.latestDeliveryAttemptTime = now;
      r.status.latestDeliveryAttemptSucceeded = now;
      r.status.latestDeliveryError = undefined;
    });
  });
  if (rec.snsTopicArn) await notify(engine, rec, key, status);
  return true;
}

/**
 * {"Records":[…]} as bytes: `texts` (each one record) and `joined` (each records joined by commas) written once each
 * into the engine's reused file buffer (no joined string to flatten, then encode; no fresh 10 MB a second).
 */
function logFile(engine: TrailEngine, texts: string[], joined: Buffer[]): Buffer {
  const parts = joined.filter((b) => b.length);
  let size = 14 + texts.length + parts.length;
  for (const r of texts) size += Buffer.byteLength(r);
  for (const b of parts) size += b.length;
  const buf = engine.texts.fileBuffer(size);
  let at = buf.write('{"Records":[', 0, "latin1");
  const start = at;
  for (const r of texts) {
    if (at > start) buf[at++] = 0x2c;
    at += buf.write(r, at);
  }
  for (const b of parts) {
    if (at > start) buf[at++] = 0x2c;
    at += b.copy(buf, at);
  }
  at += buf.write("]}", at, "latin1");
  return buf.subarray(0, at);
}

const PAGE = 1000;

function runsSize(runs: number[]): number {
  let n = 0;
  for (let i = 0; i < runs.length; i += 2) n += runs[i + 1] - runs[i] + 1;
  return n;
}

/** The chunks' seq runs as [first, last] pairs, in order, adjacent ones merged (each audit batch queues its own run). */
function mergedRuns(chunks: { value: PendingChunk }[]): number[] {
  const pairs: [number, number][] = [];
  for (const c of chunks) {
    const runs = c.value.seqs ?? [];
    for (let i = 0; i < runs.length; i += 2) pairs.push([runs[i], runs[i + 1]]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [first, last] of pairs) {
    if (out.length && first <= out[out.length - 1] + 1) out[out.length - 1] = Math.max(out[out.length - 1], last);
    else out.push(first, last);
  }
  return out;
}

/**
 * A log file's text from its chunks — Insights' records as kept, API calls' as the tap joined them (pending-texts.ts)
 * or else read back from Event history by seq run (or event id) —, and each record's text when CloudWatch Logs takes
 * them too (`perRecord`, read back).
 */
// Read back run by run (a delivery's records for a trail are mostly one run), as one comma-joined text per run that
// SQLite builds: no string per record, no row objects. A log file's records are in no promised order ("CloudTrail log
// files are not an ordered stack trace of the public API calls, so they do not appear in any specific order": AWS's
// "Understanding … log file entries" pages, e.g. https://docs.aws.amazon.com/neptune/latest/userguide/cloudtrail.CloudTrail_Events.html);
// in practice they follow Event history's order, chunk by chunk.
function fileOf(
  engine: TrailEngine,
  account: string,
  region: string,
  oldest: number,
  newest: number,
  chunks: { key: string; value: PendingChunk }[],
  perRecord: boolean,
): { text: Buffer; records?: string[] } {
  const where = { account, region, start: oldest, end: newest };
  const wanted = new Set<string>();
  for (const c of chunks) for (const id of c.value.ids ?? []) wanted.add(id);
  const found = new Map<string, string>();
  if (wanted.size) {
    let after: EventCursor | undefined;
    do {
      const page = engine.audit.query(where, { limit: PAGE, after });
      for (const e of page.events) if (wanted.has(e.eventId)) found.set(e.eventId, e.record);
      after = page.next;
    } while (after && found.size < wanted.size);
  }
  const texts: string[] = [];
  for (const c of chunks) {
    if (c.value.records) texts.push(...c.value.records);
    // An event swept from Event history (90 days) meanwhile is gone for the trail too.
    for (const id of c.value.ids ?? []) {
      const r = found.get(id);
      if (r !== undefined) texts.push(r);
    }
  }
  const joined: Buffer[] = [];
  const unheld: { value: PendingChunk }[] = [];
  for (const c of chunks) {
    const held = perRecord ? undefined : engine.texts.get(c.key);
    if (held) joined.push(held);
    else {
      unheld.push(c);
      // Not held in memory (after a restart): its data events' records are in the chunk, the rest read back by seq.
      if (c.value.data) texts.push(...c.value.data);
    }
  }
  const runs = mergedRuns(unheld);
  for (let i = 0; i < runs.length; i += 2) {
    if (perRecord) for (const r of engine.audit.recordsBySeq(runs[i], runs[i + 1], where)) texts.push(r);
    else joined.push(engine.audit.joinedRecordsBySeq(runs[i], runs[i + 1], where));
  }
  return { text: logFile(engine, texts, joined), records: perRecord ? texts : undefined };
}

async function deliverToLogs(
  engine: TrailEngine,
  rec: TrailRec,
  region: string,
  records: string[],
  status: (fn: (r: TrailRec) => void) => void,
): Promise<void> {
  const group = logGroupOf(rec.logGroupArn ?? "");
  if (!group) return;
  const who = serviceIdentity(engine, group.account, group.region);
  const stream = `${rec.account}_CloudTrail_${region}`;
  const call = (op: string, input: Record<string, unknown>) => engine.host.call("cloudwatch-logs", op, input, who, { audit: false });
  try {
    try {
      await call("CreateLogStream", { logGroupName: group.name, logStreamName: stream });
    } catch (e) {
      if (!isServiceError(e) || e.code !== "ResourceAlreadyExistsException") throw e;
    }
    const events = records
      .map((message) => ({ timestamp: Date.parse(/"eventTime":"([^"]+)"/.exec(message)?.[1] ?? "") || engine.host.clock.now(), message }))
      .sort((a, b) => a.timestamp - b.timestamp);
    for (let i = 0; i < events.length; i += LOGS_BATCH) {
      await call("PutLogEvents", { logGroupName: group.name, logStreamName: stream, logEvents: events.slice(i, i + LOGS_BATCH) });
    }
    status((r) => {
      r.status.latestCloudWatchLogsDeliveryTime = engine.host.clock.now();
      r.status.latestCloudWatchLogsDeliveryError = undefined;
    });
  } catch (e) {
    const code = isServiceError(e) ? e.code : "InternalFailure";
    status((r) => (r.status.latestCloudWatchLogsDeliveryError = code));
  }
}

async function notify(engine: TrailEngine, rec: TrailRec, key: string, status: (fn: (r: TrailRec) => void) => void): Promise<void> {
  const now = engine.host.clock.now();
  try {
    const message = JSON.stringify({ s3Bucket: rec.bucket, s3ObjectKey: [key] });
    await engine.host.call("sns", "Publish", { TopicArn: rec.snsTopicArn, Message: message }, serviceIdentity(engine, rec.account, rec.homeRegion), {
      audit: false,
    });
    status((r) => {
      r.status.latestNotificationTime = now;
      r.status.latestNotificationAttemptTime = now;
      r.status.latestNotificationAttemptSucceeded = now;
      r.status.latestNotificationError = undefined;
    });
  } catch (e) {
    const code = isServiceError(e) ? e.code : "InternalFailure";
    status((r) => {
      r.status.latestNotificationError = code;
      r.status.latestNotificationAttemptTime = now;
    });
  }
}
