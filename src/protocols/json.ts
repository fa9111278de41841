// The awsJson 1.0/1.1 protocol: X-Amz-Target picks the operation, the body is the input as JSON.
import { CommonErrors, ServiceError } from "../core/errors.js";
import type { ServiceModel } from "../core/model.js";
import { eventStream, initialResponse } from "./eventstream.js";
import type { HttpRequest, HttpResponse, ProtocolCodec, ResponseMeta } from "./types.js";
import {
  decodeDocument,
  documentErrorStatus,
  encodeDocument,
  errorDocument,
  isoSeconds,
  parseTimestamp,
  queryErrorHeaders,
  requestBody,
  type DocumentFormat,
} from "./shared.js";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

export const jsonFormat: DocumentFormat = {
  useLocationName: true,
  decodeTimestamp(value, format) {
    // Clients send epoch seconds, but a member with a timestampFormat trait arrives as that text.
    if (typeof value === "number") return new Date(Math.round(value * 1000));
    if (typeof value === "string") return parseTimestamp(value, format === "unixTimestamp" ? undefined : format);
    return undefined;
  },
  decodeBlob(value) {
    if (typeof value !== "string") return undefined;
    const s = value.replace(/\s+/g, "");
    return BASE64.test(s) ? Buffer.from(s, "base64") : undefined;
  },
  encodeTimestamp(d, format) {
    if (format === "iso8601") return isoSeconds(d);
    if (format === "rfc822") return d.toUTCString();
    return d.getTime() / 1000;
  },
  encodeBlob: (b) => b.toString("base64"),
  encodeNonFinite: (n) => (Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity"),
};

const JSON_TYPES = /^application\/(?:x-amz-json-1\.[01]|json)\s*(?:;.*)?$/i;

/** Parses a JSON request body; the body must be one JSON object (empty means {}). */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString("utf8");
  if (text.trim() === "") return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw CommonErrors.serialization("The request body could not be parsed as JSON.");
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw CommonErrors.serialization(Array.isArray(doc) ? "Start of list found where not expected" : "Expected a JSON object as the request body.");
  }
  return doc as Record<string, unknown>;
}

export class JsonCodec implements ProtocolCodec {
  readonly name = "json" as const;

  resolveOperation(req: HttpRequest, model: ServiceModel): string {
    const target = req.headers["x-amz-target"];
    if (!target) throw new ServiceError("UnknownOperationException", "Missing X-Amz-Target header; the awsJson protocol names the operation there.", 400);
    const dot = target.lastIndexOf(".");
    const prefix = dot < 0 ? "" : target.slice(0, dot);
    const name = target.slice(dot + 1);
    const expected = model.metadata.targetPrefix;
    // Some models namespace the prefix (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101); SDKs send its last segment.
    if ((expected && prefix !== expected && prefix !== expected.slice(expected.lastIndexOf(".") + 1)) || !model.operations[name]) {
      throw CommonErrors.unknownOperation("json", target);
    }
    const ct = req.headers["content-type"];
    // Coral routes on X-Amz-Target and Content-Type together; any other media type is no known operation.
    if (ct && !JSON_TYPES.test(ct))
      throw new ServiceError(
        "UnknownOperationException",
        `Content-Type ${ct} is not supported by the awsJson protocol; expected application/x-amz-json-${model.metadata.jsonVersion ?? "1.0"}.`,
        400,
      );
    return name;
  }

  parseInput(req: HttpRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    const doc = parseJsonObject(requestBody(req));
    const input = model.operations[operation].input;
    if (!input) return {};
    return (decodeDocument(model, input, doc, jsonFormat) ?? {}) as Record<string, unknown>;
  }

  serializeOutput(output: Record<string, unknown>, model: ServiceModel, operation: string, meta: ResponseMeta): HttpResponse {
    const ref = model.operations[operation].output;
    // An output with an event-stream member (CloudWatch Logs' StartLiveTail) is an event stream: the other members
    // in an `initial-response` message first (botocore refuses a stream without one), then the events as they come.
    const streamMember = ref && Object.entries(model.shapes[ref.shape]?.members ?? {}).find(([, m]) => model.shapes[m.shape]?.eventstream);
    if (streamMember) {
      const [name, m] = streamMember;
      const { [name]: events, ...rest } = output ?? {};
      const initial = initialResponse(encodeDocument(model, ref, rest, jsonFormat));
      const headers = { ...this.headers(model, meta), "content-type": "application/vnd.amazon.eventstream" };
      return { status: 200, headers, body: "", stream: eventStream(model, model.shapes[m.shape], events as AsyncIterable<Record<string, unknown>>, initial) };
    }
    const doc = ref ? encodeDocument(model, ref, output ?? {}, jsonFormat) : {};
    return { status: 200, headers: this.headers(model, meta), body: JSON.stringify(doc ?? {}) };
  }

  serializeError(error: ServiceError, model: ServiceModel, _operation: string | undefined, meta: ResponseMeta): HttpResponse {
    return {
      status: documentErrorStatus(error, model, meta),
      headers: { ...this.headers(model, meta), ...queryErrorHeaders(model, error), ...error.headers },
      body: JSON.stringify(errorDocument(error, model, jsonFormat)),
    };
  }

  private headers(model: ServiceModel, meta: ResponseMeta): Record<string, string> {
    return { "content-type": `application/x-amz-json-${model.metadata.jsonVersion ?? "1.0"}`, "x-amzn-requestid": meta.requestId };
  }
}
