// AWS's event stream framing (application/vnd.amazon.eventstream), for outputs whose payload member is an event
// stream (Lambda's InvokeWithResponseStream): each event is one message — prelude (total length, headers length,
// prelude CRC-32), typed headers, payload, message CRC-32, framed by @smithy's EventStreamCodec. The model decides
// each event's headers and payload.
import { Readable } from "node:stream";
import type { EventStreamCodec } from "@smithy/eventstream-codec";
import { lazy } from "../core/lazy.js";
import type { ServiceModel, Shape } from "../core/model.js";

// Loaded on first use (like CBOR and the XML parser): start-up and most requests never need it.
const codecModule = lazy<typeof import("@smithy/eventstream-codec")>("@smithy/eventstream-codec");
const utf8 = lazy<typeof import("@smithy/util-utf8")>("@smithy/util-utf8");
let codecInstance: EventStreamCodec | undefined;
const codec = () => (codecInstance ??= new (codecModule().EventStreamCodec)(utf8().toUtf8, utf8().fromUtf8));

/** One message: string headers and a payload. */
export function encodeMessage(headers: Record<string, string>, payload: Uint8Array): Buffer {
  const typed = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { type: "string" as const, value }]));
  const out = codec().encode({ headers: typed, body: payload });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * One event of an event-stream union, e.g. {PayloadChunk: {Payload: bytes}}: `:event-type` is the member name;
 * a member marked eventpayload is the raw payload (blob: octet-stream, string: text), else the event's other
 * members are its JSON payload; members marked eventheader become headers.
 */
export function encodeEvent(model: ServiceModel, stream: Shape, event: Record<string, unknown>): Buffer {
  const [type, value] = Object.entries(event).find(([, v]) => v !== undefined) ?? [];
  const ref = type ? stream.members?.[type] : undefined;
  if (!type || !ref) throw new Error(`not an event of this stream: ${Object.keys(event).join(", ")}`);
  const shape = model.shapes[ref.shape]!;
  const fields = (value ?? {}) as Record<string, unknown>;
  // A member that is an error shape travels as an exception message (SDKs throw it from the stream's iterator).
  const headers: Record<string, string> = shape.exception
    ? { ":exception-type": type, ":message-type": "exception" }
    : { ":event-type": type, ":message-type": "event" };
  const payloadMember = Object.entries(shape.members ?? {}).find(([, m]) => m.eventpayload);
  let payload: Uint8Array;
  if (payloadMember) {
    const [name, m] = payloadMember;
    const kind = model.shapes[m.shape]?.type;
    const v = fields[name];
    payload = v === undefined ? Buffer.alloc(0) : typeof v === "string" ? Buffer.from(v, "utf8") : (v as Uint8Array);
    headers[":content-type"] = kind === "string" ? "text/plain" : kind === "blob" ? "application/octet-stream" : "application/json";
    if (kind !== "string" && kind !== "blob") payload = Buffer.from(JSON.stringify(v ?? {}));
  } else {
    const body: Record<string, unknown> = {};
    for (const [name, m] of Object.entries(shape.members ?? {})) {
      const v = fields[name];
      if (v === undefined) continue;
      if ((m as { eventheader?: boolean }).eventheader) headers[name] = String(v);
      else body[m.locationName ?? name] = v;
    }
    headers[":content-type"] = "application/json";
    payload = Buffer.from(JSON.stringify(body));
  }
  return encodeMessage(headers, payload);
}

/**
 * A readable of encoded messages from the handler's events, as they come; `initial` (the awsJson protocols'
 * `initial-response` message) goes first. The events' own iterator is ended (return()) as soon as the readable is
 * destroyed — the client went away — even while it is waiting for its next event, so a producer frees its timers then.
 */
export function eventStream(model: ServiceModel, stream: Shape, events: AsyncIterable<Record<string, unknown>>, initial?: Buffer): Readable {
  const source = events[Symbol.asyncIterator]();
  let first = initial;
  const encoded: AsyncIterator<Buffer> = {
    async next() {
      if (first) {
        const value = first;
        first = undefined;
        return { done: false, value };
      }
      const r = await source.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: encodeEvent(model, stream, r.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
  return Readable.from({ [Symbol.asyncIterator]: () => encoded }, { objectMode: false });
}

/** The awsJson protocols' first message of an event-stream response: the output's other members, as JSON. */
export function initialResponse(document: unknown): Buffer {
  return encodeMessage(
    { ":event-type": "initial-response", ":message-type": "event", ":content-type": "application/json" },
    Buffer.from(JSON.stringify(document ?? {})),
  );
}
