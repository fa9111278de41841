// Invoke: RequestResponse runs the function now and answers its result (X-Amz-Function-Error, LogType Tail,
// X-Amz-Executed-Version); Event queues it (async.ts); DryRun checks everything and runs nothing.
import type { HandlerContext } from "../../core/context.js";
import type { LambdaApi } from "./api.generated.js";
import {
  InvalidParameterValueException,
  InvalidRequestContentException,
  RequestTooLargeException,
  ResourceConflictException,
  ServiceException,
} from "./api.generated.js";
import { enqueue } from "./async.js";
import { engineOf } from "./engine/index.js";
import type { Resolved } from "./state.js";
import { functionArn, pickVersion, resolveFunction } from "./state.js";

export const SYNC_PAYLOAD_LIMIT = 6_291_456;
export const ASYNC_PAYLOAD_LIMIT = 1_048_576;
const TAIL_BYTES = 4096;

/** LogType Tail: the last 4 KB of the invocation's log, base64. */
export const logTail = (log: string): string => Buffer.from(log, "utf8").subarray(-TAIL_BYTES).toString("base64");

/** The payload as the function receives it: JSON, checked the way Lambda checks it; empty means {}. */
export function eventPayload(raw: Uint8Array | undefined): Buffer {
  const buf = raw ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : Buffer.alloc(0);
  if (buf.length === 0) return Buffer.from("{}");
  try {
    JSON.parse(buf.toString("utf8"));
  } catch (e) {
    throw new InvalidRequestContentException(`Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`, {
      Type: "User",
    });
  }
  return buf;
}

export function checkRunnable(r: Resolved): void {
  const state = r.version.config.State;
  if (state && state !== "Active") {
    throw new ResourceConflictException(`The operation cannot be performed at this time. The function is currently in the following state: ${state}`, {
      Type: "User",
    });
  }
}

/** The ARN an invocation names: qualified when the caller gave a version or alias. */
export const invokedArn = (ctx: Pick<HandlerContext, "account" | "region">, r: Resolved) => functionArn(ctx, r.fn.name, r.qualifier);

/** Runs one invocation now, for Invoke and for the services that call functions (SQS mappings, async retries). */
export async function runNow(
  ctx: HandlerContext,
  r: Resolved,
  payload: Buffer,
  opts: {
    clientContext?: string;
    requestId?: string;
    onStreamStart?: (contentType: string) => void;
    onChunk?: (chunk: Buffer) => void;
    queued?: boolean;
  } = {},
) {
  const engine = engineOf(ctx);
  if (!engine) throw new ServiceException("Lambda's execution engine is not running.", { Type: "Service" });
  const version = pickVersion(ctx, r);
  return engine.invoke({
    account: ctx.account,
    region: ctx.region,
    fn: r.fn,
    version,
    invokedArn: invokedArn(ctx, r),
    payload,
    requestId: opts.requestId ?? ctx.requestId,
    clientContext: opts.clientContext,
    onStreamStart: opts.onStreamStart,
    onChunk: opts.onChunk,
    queued: opts.queued,
  });
}

/** The X-Amz-Client-Context header: base64 JSON, at most 3,583 characters; the JSON text the runtime is given. */
export function clientContextOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length > 3583) throw new InvalidParameterValueException("Client context must be less than or equal to 3583 bytes.", { Type: "User" });
  const text = Buffer.from(header, "base64").toString("utf8");
  try {
    JSON.parse(text);
  } catch {
    throw new InvalidRequestContentException("Client context must be a valid Base64-encoded JSON object.", { Type: "User" });
  }
  return text;
}

export const invoke = {
  async invoke(input, ctx) {
    const r = resolveFunction(ctx, input.FunctionName, input.Qualifier, { shared: true });
    const type = input.InvocationType ?? "RequestResponse";
    const size = input.Payload?.byteLength ?? 0;
    if (type === "Event" && size > ASYNC_PAYLOAD_LIMIT)
      throw new RequestTooLargeException(`Request must be smaller than ${ASYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`, { Type: "User" });
    if (size > SYNC_PAYLOAD_LIMIT)
      throw new RequestTooLargeException(`Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`, { Type: "User" });
    const payload = eventPayload(input.Payload);
    const clientContext = clientContextOf(input.ClientContext);
    checkRunnable(r);
    if (type === "DryRun") return { StatusCode: 204 };
    if (type === "Event") {
      enqueue(ctx, r, payload);
      return { StatusCode: 202 };
    }
    const out = await runNow(ctx, r, payload, { clientContext });
    const tail = input.LogType === "Tail" ? logTail(out.log) : undefined;
    return {
      StatusCode: 200,
      Payload: out.payload,
      ExecutedVersion: out.executedVersion,
      ...(out.functionError ? { FunctionError: out.functionError } : {}),
      ...(tail !== undefined ? { LogResult: tail } : {}),
    };
  },

  /** The deprecated InvokeAsync: an Event invocation answered 202 with Status 202. */
  invokeAsync(input, ctx) {
    const r = resolveFunction(ctx, input.FunctionName);
    const payload = eventPayload(input.InvokeArgs);
    if (payload.length > ASYNC_PAYLOAD_LIMIT)
      throw new RequestTooLargeException(`Request must be smaller than ${ASYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`, { Type: "User" });
    checkRunnable(r);
    enqueue(ctx, r, payload);
    return { Status: 202 };
  },
} satisfies Partial<LambdaApi>;
