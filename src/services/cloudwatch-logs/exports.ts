// Export tasks: CreateExportTask checks the bucket as AWS does (exists, same region, its policy lets the Logs service
// principal GetBucketAcl and PutObject), writes `<prefix>/aws-logs-write-test`, then a background run writes each
// stream's events in [from, to] as gzip'd `<ISO time> <message>` lines to `<prefix>/<taskId>/<stream>/000000.gz`
// through S3's own API. One active (PENDING/RUNNING) task per account and region; a run interrupted by a stop is
// rerun at boot (its objects are overwritten, so a rerun is idempotent).
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateExportTask.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { decodePageToken, encodePageToken, fingerprint } from "../../core/paging.js";
import { evaluatePolicy } from "../../core/policy/index.js";
import type { ServiceHost } from "../../core/service.js";
import { defineState, regional } from "../../core/state.js";
import {
  AccessDeniedException,
  InvalidOperationException,
  InvalidParameterException,
  LimitExceededException,
  ResourceNotFoundException,
  type CloudwatchLogsApi,
  type ExportTask,
  type ExportTaskStatusCode,
} from "./api.generated.js";
import { readStreamEvents } from "./encryption.js";
import { groupArn, invalidToken, mustGroup, retentionFloor, streamPrefix, streams, transaction } from "./state.js";

export interface ExportTaskRec {
  taskId: string;
  taskName?: string;
  logGroupName: string;
  logStreamNamePrefix?: string;
  from: number;
  to: number;
  destination: string;
  destinationPrefix: string;
  code: ExportTaskStatusCode;
  /** None while PENDING (AWS-recorded) or RUNNING. */
  message?: string;
  creationTime: number;
  completionTime?: number;
}

export const exportState = defineState("cloudwatch-logs", {
  /** Export tasks by id (kept after they finish, as DescribeExportTasks lists them). */
  exportTasks: regional<ExportTaskRec>("export-tasks"),
});

const DEFAULT_PREFIX = "exportedlogs";
const DEFAULT_LIMIT = 50;
/** Events read from the store per query while a stream is exported. */
const READ_BATCH = 10_000;
/** Uncompressed bytes per exported object before the next one (000001.gz …) starts. */
const OBJECT_BYTES = 64 * 1024 * 1024;

// "Completed successfully": AWS CLI's describe-export-tasks example (awscli/examples/logs/describe-export-tasks.rst).
// A PENDING task has no message (AWS-recorded: LocalStack's test_logs_export_tasks.snapshot.json); RUNNING is
// given none either (unverified).
const COMPLETED = "Completed successfully";
const CANCELLED = "Cancelled by user"; // unverified wording
const ACTIVE: ExportTaskStatusCode[] = ["PENDING", "RUNNING"];

const tasks = (ctx: HandlerContext) => exportState.of(ctx).exportTasks;
// Compressed on libuv's pool, so a large export does not hold up requests.
const gzipAsync = promisify(gzip);

export const exportHandlers = {
  async createExportTask(input, ctx) {
    const { logGroupName, logStreamNamePrefix, from, to, destination, taskName } = input;
    const prefix = input.destinationPrefix ?? DEFAULT_PREFIX;
    mustGroup(ctx, logGroupName);
    if (from > to) throw new InvalidParameterException("Specified time range of from and to is invalid."); // unverified wording
    if (hasActive(ctx)) throw new LimitExceededException("Resource limit exceeded."); // as AWS answers a second active task
    // With no prefix given the write test lands at the bucket's root (AWS-verified in moto's
    // tests/test_logs/test_export_tasks.py, test_create_export_task_happy_path); the events under `exportedlogs/`.
    await checkBucket(ctx, logGroupName, destination, input.destinationPrefix === undefined ? "aws-logs-write-test" : `${prefix}/aws-logs-write-test`);
    const rec: ExportTaskRec = {
      taskId: randomUUID(),
      taskName,
      logGroupName,
      logStreamNamePrefix,
      from,
      to,
      destination,
      destinationPrefix: prefix,
      code: "PENDING",
      creationTime: ctx.now(),
    };
    transaction(ctx, () => {
      // Re-checked synchronously: two concurrent creates must not both get through the await above.
      if (hasActive(ctx)) throw new LimitExceededException("Resource limit exceeded.");
      tasks(ctx).put(rec.taskId, rec);
    });
    ctx.startAtBoot();
    ctx.scheduler.after(0, () => void runExport(ctx, rec.taskId));
    return { taskId: rec.taskId };
  },

  describeExportTasks({ taskId, statusCode, limit, nextToken }, ctx) {
    const max = limit ?? DEFAULT_LIMIT;
    const query = fingerprint([taskId ?? "", statusCode ?? ""]);
    const after = nextToken ? decodePageToken<string>("DescribeExportTasks", nextToken, invalidToken, { bind: query }) : undefined;
    // An unknown taskId lists nothing (AWS-recorded: LocalStack's test_logs_export_tasks.snapshot.json, task-not-found).
    const one = taskId !== undefined ? tasks(ctx).get(taskId) : undefined;
    const all = (
      taskId !== undefined
        ? one
          ? [one]
          : []
        : tasks(ctx)
            .list()
            .map((e) => e.value)
    )
      .filter((t) => !statusCode || t.code === statusCode)
      // Newest first; the id breaks ties so the paging position is total.
      .sort((a, b) => b.creationTime - a.creationTime || (a.taskId < b.taskId ? -1 : 1));
    const pos = (t: ExportTaskRec) => `${String(Number.MAX_SAFE_INTEGER - t.creationTime).padStart(16, "0")}:${t.taskId}`;
    const rest = after ? all.filter((t) => pos(t) > after) : all;
    const page = rest.slice(0, max);
    return {
      exportTasks: page.map(describe),
      nextToken: rest.length > max ? encodePageToken("DescribeExportTasks", pos(page[page.length - 1]), query) : undefined,
    };
  },

  cancelExportTask({ taskId }, ctx) {
    transaction(ctx, () => {
      const t = tasks(ctx).get(taskId);
      // AWS-recorded: LocalStack's test_logs_export_tasks.snapshot.json (error-cancel-not-found).
      if (!t) throw new ResourceNotFoundException("The specified export task does not exist.");
      if (!ACTIVE.includes(t.code)) throw new InvalidOperationException("The specified export task has already finished."); // unverified wording
      tasks(ctx).put(taskId, { ...t, code: "CANCELLED", message: CANCELLED, completionTime: ctx.now() });
    });
    return {};
  },
} satisfies Partial<CloudwatchLogsApi>;

function describe(t: ExportTaskRec): ExportTask {
  return {
    taskId: t.taskId,
    taskName: t.taskName,
    logGroupName: t.logGroupName,
    from: t.from,
    to: t.to,
    destination: t.destination,
    destinationPrefix: t.destinationPrefix,
    status: { code: t.code, message: t.message },
    executionInfo: { creationTime: t.creationTime, completionTime: t.completionTime },
  };
}

function hasActive(ctx: HandlerContext): boolean {
  return tasks(ctx)
    .list()
    .some((e) => ACTIVE.includes(e.value.code));
}

/**
 * What AWS checks before it accepts the task: the bucket exists, is in the task's region, and its bucket policy
 * lets logs.<region>.amazonaws.com read its ACL and put `<prefix>/aws-logs-write-test`, which it then writes.
 */
async function checkBucket(ctx: HandlerContext, group: string, bucket: string, testKey: string): Promise<void> {
  const s3 = ctx.client("s3");
  let region: string | undefined;
  try {
    region = (await s3.headBucket({ Bucket: bucket })).BucketRegion;
  } catch (e) {
    if (isServiceError(e) && (e.code === "NoSuchBucket" || e.code === "NotFound")) {
      // As moto words it after AWS (moto/logs/models.py, create_export_task).
      throw new InvalidParameterException("The given bucket does not exist. Please make sure the bucket is valid.");
    }
    if (isServiceError(e)) throw aclFailed();
    throw e;
  }
  if (region && region !== ctx.region) {
    throw new InvalidParameterException("The specified bucket is in a different region. Please make sure the bucket is in the same region."); // unverified wording
  }
  let policy: string | undefined;
  try {
    policy = (await s3.getBucketPolicy({ Bucket: bucket })).Policy;
  } catch (e) {
    if (!isServiceError(e)) throw e;
  }
  // The condition keys AWS's documented bucket policy uses: aws:SourceAccount and aws:SourceArn (the log group).
  const context = { "aws:sourceaccount": ctx.account, "aws:sourcearn": `${groupArn(ctx, group)}:*` };
  const allows = (action: string, resource: string, extra: Record<string, string> = {}) =>
    policy !== undefined &&
    logsPrincipals(ctx.region).some(
      (service) => evaluatePolicy(policy, { caller: { type: "service", service }, action, resource, context: { ...context, ...extra } }) === "Allow",
    );
  if (!allows("s3:GetBucketAcl", `arn:aws:s3:::${bucket}`)) throw aclFailed();
  if (!allows("s3:PutObject", `arn:aws:s3:::${bucket}/${testKey}`, { "s3:x-amz-acl": "bucket-owner-full-control" })) throw putFailed();
  try {
    // The object AWS leaves behind as its permission check.
    await s3.putObject({ Bucket: bucket, Key: testKey, Body: Buffer.from("Permission Check Successful"), ACL: "bucket-owner-full-control" });
  } catch (e) {
    if (isServiceError(e)) throw putFailed();
    throw e;
  }
}

/**
 * The names the Logs service principal answers to in a policy: the regional one AWS documents, and the global
 * `logs.amazonaws.com` (LocalStack's AWS-validated export test grants that one).
 */
export const logsPrincipals = (region: string) => [`logs.${region}.amazonaws.com`, "logs.amazonaws.com"];

// The bucket policy does not let Logs read the bucket's ACL. AWS's answer as aws/amazon-ecs-agent#5116 (2026) quotes
// it: AccessDeniedException, "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been
// granted permission to perform this operation." (in 2023 the same text came as InvalidParameterException:
// DistributedScience/Distributed-CellProfiler#144).
const aclFailed = () =>
  new AccessDeniedException(
    "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.",
  );
// unverified wording: the PutObject counterpart users report, its code assumed InvalidParameterException.
const putFailed = () =>
  new InvalidParameterException(
    "PutObject call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.",
  );

/**
 * Runs (or reruns) a task to its end: COMPLETED, FAILED, or left as CANCELLED when cancelled meanwhile. Never
 * rejects: if the server stops under it (its store closing), the task stays active and is rerun at the next boot.
 */
export async function runExport(ctx: HandlerContext, taskId: string): Promise<void> {
  try {
    await run(ctx, taskId);
  } catch {
    // Only a store that went away gets here (run() records every other failure on the task).
  }
}

async function run(ctx: HandlerContext, taskId: string): Promise<void> {
  const t = tasks(ctx).get(taskId);
  if (!t || !ACTIVE.includes(t.code)) return;
  if (!setStatus(ctx, taskId, "RUNNING")) return;
  try {
    const g = mustGroup(ctx, t.logGroupName);
    const key = streamPrefix(t.logGroupName) + (t.logStreamNamePrefix ?? "");
    for (const { value: s } of streams(ctx).list({ prefix: key })) {
      if (!isActive(ctx, taskId)) return;
      let part = 0;
      let lines: string[] = [];
      let bytes = 0;
      const flush = async () => {
        const name = `${t.destinationPrefix}/${taskId}/${s.name}/${String(part++).padStart(6, "0")}.gz`;
        await ctx.client("s3").putObject({ Bucket: t.destination, Key: name, Body: await gzipAsync(lines.join("")), ACL: "bucket-owner-full-control" });
        lines = [];
        bytes = 0;
      };
      // Events past the group's retention are not exported (no read returns them).
      const from = Math.max(t.from, retentionFloor(g, ctx.now()));
      for await (const batch of readStreamEvents(ctx, g, s.id, from, t.to, READ_BATCH)) {
        if (!isActive(ctx, taskId)) return;
        for (const e of batch) {
          const line = `${new Date(e.timestamp).toISOString()} ${e.message}\n`;
          lines.push(line);
          bytes += line.length;
        }
        if (bytes >= OBJECT_BYTES) await flush();
      }
      if (lines.length) await flush();
    }
    setStatus(ctx, taskId, "COMPLETED", COMPLETED, true);
  } catch (e) {
    // The task records why it stopped (a KMS key the group's data needs refused, the bucket gone …).
    const message = e instanceof Error ? e.message : String(e);
    setStatus(ctx, taskId, "FAILED", message, true);
  }
}

function isActive(ctx: HandlerContext, taskId: string): boolean {
  const t = tasks(ctx).get(taskId);
  return !!t && ACTIVE.includes(t.code);
}

/** Moves an active task to a new status; false when it is no longer active (cancelled meanwhile). */
function setStatus(ctx: HandlerContext, taskId: string, code: ExportTaskStatusCode, message?: string, done = false): boolean {
  return transaction(ctx, () => {
    const t = tasks(ctx).get(taskId);
    if (!t || !ACTIVE.includes(t.code)) return false;
    tasks(ctx).put(taskId, { ...t, code, message, ...(done ? { completionTime: ctx.now() } : {}) });
    return true;
  });
}

/** At boot: every task a stop interrupted (PENDING or RUNNING) is run again from the start. */
export function resumeExports(host: ServiceHost): void {
  for (const { account, region, tables } of exportState.all(host, "exportTasks")) {
    for (const { value: t } of tables.exportTasks.list()) {
      if (!ACTIVE.includes(t.code)) continue;
      const ctx = host.context("cloudwatch-logs", "CreateExportTask", host.rootIdentity(account, region));
      host.scheduler.after(0, () => void runExport(ctx, t.taskId));
    }
  }
}
