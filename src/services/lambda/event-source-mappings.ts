// Event source mappings (SQS queues): Create/Get/Update/Delete/List with AWS's validation and visible state
// transitions (Creating → Enabled, Updating, Enabling, Disabling → Disabled, Deleting → gone); the pollers
// that read the queues and invoke the functions are in esm-poller.ts.
import { randomUUID } from "node:crypto";
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { CommonErrors } from "../../core/errors.js";
import { pageByKey } from "../../core/paging.js";
import type { EventSourceMappingConfiguration, FilterCriteria, LambdaApi, ScalingConfig } from "./api.generated.js";
import { InvalidParameterValueException, ResourceInUseException, ResourceNotFoundException, ResourceConflictException } from "./api.generated.js";
import { InvalidPattern, parsePattern } from "./esm-filter.js";
import { esmTable, parseQueueArn, pollersOf, type EsmRec } from "./esm-poller.js";
import { functionArn, parseFunctionName, resolveFunction } from "./state.js";

const SQS_DEFAULT_BATCH = 10;
const NOT_FOUND = "The resource you requested does not exist.";
const STREAM_SOURCES = new Set(["kinesis", "dynamodb", "kafka", "mq", "rds", "docdb"]);

const mappingArn = (ctx: Pick<HandlerContext, "account" | "region">, uuid: string) => regionalArn(ctx, "lambda", `event-source-mapping:${uuid}`);

function view(ctx: Pick<HandlerContext, "account" | "region">, rec: EsmRec): EventSourceMappingConfiguration {
  return {
    UUID: rec.uuid,
    BatchSize: rec.batchSize,
    MaximumBatchingWindowInSeconds: rec.window,
    EventSourceArn: rec.eventSourceArn,
    ...(rec.filterCriteria ? { FilterCriteria: rec.filterCriteria } : {}),
    FunctionArn: rec.functionArn,
    LastModified: new Date(rec.lastModified),
    State: rec.state,
    StateTransitionReason: "USER_INITIATED",
    FunctionResponseTypes: rec.functionResponseTypes,
    ...(rec.scaling ? { ScalingConfig: rec.scaling } : {}),
    EventSourceMappingArn: mappingArn(ctx, rec.uuid),
  };
}

function mustGet(ctx: HandlerContext, uuid: string): EsmRec {
  const rec = esmTable(ctx).get(uuid);
  if (!rec) throw new ResourceNotFoundException(NOT_FOUND, { Type: "User" });
  return rec;
}

/** The queue a mapping reads: it must exist (Lambda reports SQS's error as its own). */
async function queueOf(ctx: HandlerContext, arn: string): Promise<{ fifo: boolean; visibilityTimeout: number }> {
  const q = parseQueueArn(arn);
  const missing = () =>
    new InvalidParameterValueException(
      "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.",
      { Type: "User" },
    );
  if (!q) throw missing();
  try {
    const { QueueUrl } = await ctx.client("sqs").getQueueUrl({ QueueName: q.name }, { account: q.account, region: q.region });
    const { Attributes = {} } = await ctx
      .client("sqs")
      .getQueueAttributes({ QueueUrl: QueueUrl!, AttributeNames: ["FifoQueue", "VisibilityTimeout"] }, { account: q.account, region: q.region });
    return { fifo: Attributes.FifoQueue === "true", visibilityTimeout: Number(Attributes.VisibilityTimeout ?? 30) };
  } catch (e) {
    if ((e as { code?: string }).code === "AWS.SimpleQueueService.NonExistentQueue") throw missing();
    throw e;
  }
}

function checkSource(arn: string | undefined): string {
  if (!arn) throw new InvalidParameterValueException("Unrecognized event source.", { Type: "User" });
  const service = /^arn:aws[\w-]*:([a-z0-9-]+):/.exec(arn)?.[1] ?? "";
  if (service === "sqs") return arn;
  if (STREAM_SOURCES.has(service)) throw CommonErrors.notImplemented("Lambda", `CreateEventSourceMapping for ${service} event sources`);
  throw new InvalidParameterValueException("Unrecognized event source, must be kinesis, dynamodb stream or sqs.", { Type: "User" });
}

function checkBatching(fifo: boolean, batchSize: number, window: number): void {
  if (fifo && batchSize > 10) throw new InvalidParameterValueException("Batch size must be between 1 and 10 for SQS FIFO queues.", { Type: "User" });
  if (fifo && window > 0) throw new InvalidParameterValueException("Batching window is not supported for FIFO queues.", { Type: "User" });
  if (batchSize > 10 && window < 1)
    throw new InvalidParameterValueException("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10", {
      Type: "User",
    });
}

function checkFilters(fc: FilterCriteria | undefined): FilterCriteria | undefined {
  if (!fc || !fc.Filters?.length) return undefined;
  for (const f of fc.Filters) {
    try {
      if (f.Pattern === undefined) throw new InvalidPattern();
      parsePattern(f.Pattern);
    } catch (e) {
      if (e instanceof InvalidPattern) throw new InvalidParameterValueException("Invalid filter pattern definition.", { Type: "User" });
      throw e;
    }
  }
  return { Filters: fc.Filters.map((f) => ({ Pattern: f.Pattern })) };
}

const scalingOf = (s: ScalingConfig | undefined) => (s && s.MaximumConcurrency !== undefined ? { MaximumConcurrency: s.MaximumConcurrency } : undefined);

/** The function a mapping invokes: it must exist (with its version or alias) and the queue must outlast it. */
function targetOf(ctx: HandlerContext, name: string, visibilityTimeout: number) {
  const r = resolveFunction(ctx, name);
  const timeout = r.version.config.Timeout ?? 3;
  if (visibilityTimeout < timeout) {
    throw new InvalidParameterValueException(`Queue visibility timeout: ${visibilityTimeout} seconds is less than Function timeout: ${timeout} seconds`, {
      Type: "User",
    });
  }
  return { name: r.fn.name, qualifier: r.qualifier, arn: functionArn(ctx, r.fn.name, r.qualifier) };
}

function checkDuplicate(ctx: HandlerContext, eventSourceArn: string, fnArn: string, asked: string, except?: string): void {
  for (const { value } of esmTable(ctx).list()) {
    if (value.uuid !== except && value.eventSourceArn === eventSourceArn && value.functionArn === fnArn) {
      throw new ResourceConflictException(
        `An event source mapping with SQS arn (" ${eventSourceArn} ") and function (" ${asked} ") already exists. Please update or delete the existing mapping with UUID ${value.uuid}`,
        { Type: "User" },
      );
    }
  }
}

function transition(ctx: HandlerContext, rec: EsmRec): void {
  esmTable(ctx).put(rec.uuid, rec);
  pollersOf(ctx)?.changed(ctx.account, ctx.region, rec.uuid);
}

export const eventSourceMappings = {
  async createEventSourceMapping(input, ctx) {
    const source = checkSource(input.EventSourceArn);
    parseFunctionName(ctx, input.FunctionName);
    const queue = await queueOf(ctx, source);
    const batchSize = input.BatchSize ?? SQS_DEFAULT_BATCH;
    const window = input.MaximumBatchingWindowInSeconds ?? 0;
    checkBatching(queue.fifo, batchSize, window);
    const filterCriteria = checkFilters(input.FilterCriteria);
    const fn = targetOf(ctx, input.FunctionName, queue.visibilityTimeout);
    checkDuplicate(ctx, source, fn.arn, input.FunctionName);
    const rec: EsmRec = {
      uuid: randomUUID(),
      eventSourceArn: source,
      functionName: fn.name,
      ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
      functionArn: fn.arn,
      batchSize,
      window,
      ...(filterCriteria ? { filterCriteria } : {}),
      functionResponseTypes: input.FunctionResponseTypes ?? [],
      ...(scalingOf(input.ScalingConfig) ? { scaling: scalingOf(input.ScalingConfig) } : {}),
      enabled: input.Enabled ?? true,
      state: "Creating",
      lastModified: ctx.now(),
      ...(input.Tags ? { tags: input.Tags } : {}),
    };
    // Pollers must come back after a restart without anyone calling Lambda.
    ctx.startAtBoot();
    transition(ctx, rec);
    return view(ctx, rec);
  },

  getEventSourceMapping({ UUID }, ctx) {
    return view(ctx, mustGet(ctx, UUID));
  },

  async updateEventSourceMapping(input, ctx) {
    const rec = mustGet(ctx, input.UUID);
    if (rec.state === "Deleting")
      throw new ResourceInUseException(`Cannot update the event source mapping ${rec.uuid} while it is being deleted.`, { Type: "User" });
    const queue = await queueOf(ctx, rec.eventSourceArn);
    const batchSize = input.BatchSize ?? rec.batchSize;
    const window = input.MaximumBatchingWindowInSeconds ?? rec.window;
    if (input.BatchSize !== undefined || input.MaximumBatchingWindowInSeconds !== undefined) checkBatching(queue.fifo, batchSize, window);
    const next: EsmRec = { ...rec, batchSize, window, lastModified: ctx.now() };
    if (input.FunctionName !== undefined) {
      const fn = targetOf(ctx, input.FunctionName, queue.visibilityTimeout);
      checkDuplicate(ctx, rec.eventSourceArn, fn.arn, input.FunctionName, rec.uuid);
      next.functionName = fn.name;
      next.functionArn = fn.arn;
      if (fn.qualifier) next.qualifier = fn.qualifier;
      else delete next.qualifier;
    }
    if (input.FilterCriteria !== undefined) {
      const fc = checkFilters(input.FilterCriteria);
      if (fc) next.filterCriteria = fc;
      else delete next.filterCriteria;
    }
    if (input.FunctionResponseTypes !== undefined) next.functionResponseTypes = input.FunctionResponseTypes;
    if (input.ScalingConfig !== undefined) {
      const s = scalingOf(input.ScalingConfig);
      if (s) next.scaling = s;
      else delete next.scaling;
    }
    const running = rec.state === "Enabled" || rec.state === "Enabling" || rec.state === "Creating" || rec.state === "Updating";
    if (input.Enabled !== undefined) next.enabled = input.Enabled;
    next.state = input.Enabled === false && running ? "Disabling" : input.Enabled === true && !running ? "Enabling" : "Updating";
    transition(ctx, next);
    return view(ctx, next);
  },

  deleteEventSourceMapping({ UUID }, ctx) {
    const rec = mustGet(ctx, UUID);
    rec.state = "Deleting";
    transition(ctx, rec);
    return view(ctx, rec);
  },

  listEventSourceMappings({ EventSourceArn, FunctionName, Marker, MaxItems }, ctx) {
    const fn = FunctionName !== undefined ? parseFunctionName(ctx, FunctionName) : undefined;
    const max = MaxItems ?? 100;
    const all = esmTable(ctx)
      .list()
      .map((e) => e.value)
      .filter(
        (r) =>
          (EventSourceArn === undefined || r.eventSourceArn === EventSourceArn) &&
          (!fn || (r.functionName === fn.name && (fn.qualifier === undefined || r.qualifier === fn.qualifier))),
      );
    const page = pageByKey(all, (r) => r.uuid, {
      operation: "ListEventSourceMappings",
      token: Marker || undefined,
      max,
      invalid: () => new InvalidParameterValueException("Invalid marker.", { Type: "User" }),
    });
    return { EventSourceMappings: page.items.map((r) => view(ctx, r)), ...(page.next !== undefined ? { NextMarker: page.next } : {}) };
  },
} satisfies Partial<LambdaApi>;
