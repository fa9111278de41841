// InvokeWithResponseStream: the answer is an event stream (PayloadChunk events as the function writes, then one
// InvokeComplete). A streaming function's chunks go out as they arrive; a buffered one's answer is one chunk.
// Errors before the function runs (not found, throttled, runtime unavailable) are the call's own errors.
import { isServiceError } from "../../core/errors.js";
import type { InvokeWithResponseStreamResponseEvent, LambdaApi } from "./api.generated.js";
import { RequestTooLargeException } from "./api.generated.js";
import { SYNC_PAYLOAD_LIMIT, checkRunnable, clientContextOf, eventPayload, logTail, runNow } from "./invoke.js";
import { pickVersion, resolveFunction } from "./state.js";

type StreamEvent = { PayloadChunk: { Payload: Uint8Array } } | { InvokeComplete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } };

/** A push-driven async iterable: the engine pushes events, the response's serializer pulls them. */
class EventQueue implements AsyncIterable<StreamEvent> {
  private readonly items: StreamEvent[] = [];
  private ended = false;
  private wake?: () => void;

  push(e: StreamEvent): void {
    if (this.ended) return;
    this.items.push(e);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    for (;;) {
      while (this.items.length) yield this.items.shift()!;
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

export const invokeStream = {
  async invokeWithResponseStream(input, ctx) {
    const r = resolveFunction(ctx, input.FunctionName, input.Qualifier);
    if ((input.Payload?.byteLength ?? 0) > SYNC_PAYLOAD_LIMIT) {
      throw new RequestTooLargeException(`Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`, { Type: "User" });
    }
    const payload = eventPayload(input.Payload);
    const clientContext = clientContextOf(input.ClientContext);
    checkRunnable(r);
    if (input.InvocationType === "DryRun") return { StatusCode: 204 };
    // The version is picked once here, so ExecutedVersion can be answered before the function finishes.
    const version = pickVersion(ctx, r);
    const events = new EventQueue();
    let started!: () => void;
    const streaming = new Promise<void>((ok) => (started = ok));
    const run = runNow(ctx, { ...r, version, alias: undefined }, payload, {
      clientContext,
      onStreamStart: () => started(),
      onChunk: (c) => events.push({ PayloadChunk: { Payload: c } }),
    });
    const finished = run.then((out) => {
      if (!out.streamed && !out.functionError) events.push({ PayloadChunk: { Payload: out.payload } });
      let error: { ErrorCode?: string; ErrorDetails?: string } = {};
      if (out.functionError) {
        let details = out.payload.toString("utf8");
        try {
          details = String((JSON.parse(details) as { errorMessage?: string }).errorMessage ?? details);
        } catch {
          /* not JSON: as is */
        }
        error = { ErrorCode: out.errorType ?? "Unhandled", ErrorDetails: details };
      }
      const tail = input.LogType === "Tail" ? logTail(out.log) : undefined;
      events.push({ InvokeComplete: { ...error, ...(tail !== undefined ? { LogResult: tail } : {}) } });
      events.end();
    });
    // Until the function starts streaming or finishes, a failure is this call's error (a 429, a 502…).
    await Promise.race([streaming, finished]);
    // Past that point a failure can only end the stream.
    finished.catch((e: unknown) => {
      events.push({ InvokeComplete: { ErrorCode: isServiceError(e) ? e.code : "ServiceException", ErrorDetails: e instanceof Error ? e.message : String(e) } });
      events.end();
    });
    return {
      StatusCode: 200,
      ExecutedVersion: version.config.Version,
      ResponseStreamContentType: "application/vnd.amazon.eventstream",
      // The generated type names the union of one event; on the wire it is a sequence of them.
      EventStream: events as unknown as InvokeWithResponseStreamResponseEvent,
    };
  },
} satisfies Partial<LambdaApi>;
