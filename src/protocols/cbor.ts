// The smithy-rpc-v2-cbor protocol: POST /service/<Service>/operation/<Operation>, CBOR bodies, timestamps as tag 1.
import type * as SmithyCbor from "@smithy/core/cbor";
import { lazy } from "../core/lazy.js";
import { CommonErrors, ServiceError } from "../core/errors.js";
import type { ServiceModel } from "../core/model.js";
import type { HttpRequest, HttpResponse, ProtocolCodec, ResponseMeta } from "./types.js";
import { decodeDocument, documentErrorStatus, encodeDocument, errorDocument, queryErrorHeaders, requestBody, type DocumentFormat } from "./shared.js";

const smithyCbor = lazy<typeof SmithyCbor>("@smithy/core/cbor");

const PATH = /^\/service\/([^/]+)\/operation\/([^/]+)$/;

interface Tagged {
  tag: number;
  value: unknown;
}
const isTag = (v: unknown): v is Tagged => v !== null && typeof v === "object" && "tag" in v && "value" in v;

export const cborFormat: DocumentFormat = {
  useLocationName: false,
  decodeTimestamp(value) {
    // Smithy writes tag 1 (epoch seconds, integer or float); a bare number is read the same way.
    const v = isTag(value) ? (value.tag === 1 ? value.value : undefined) : value;
    if (typeof v === "number") return new Date(Math.round(v * 1000));
    if (typeof v === "bigint") return new Date(Number(v) * 1000);
    return undefined;
  },
  decodeBlob: (value) => (value instanceof Uint8Array ? Buffer.from(value) : undefined),
  encodeTimestamp: (d) => smithyCbor().tag({ tag: 1, value: d.getTime() / 1000 }),
  encodeBlob: (b) => new Uint8Array(b),
  encodeNonFinite: (n) => n,
};

function encode(doc: unknown): Buffer {
  // The smithy encoder reuses one buffer between calls: copy the bytes out.
  return Buffer.from(smithyCbor().cbor.serialize(doc));
}

function decodeBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let doc: unknown;
  try {
    doc = smithyCbor().cbor.deserialize(body);
  } catch (e) {
    throw CommonErrors.serialization(`The request body is not valid CBOR: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || doc instanceof Uint8Array || isTag(doc)) {
    throw CommonErrors.serialization("Expected a CBOR map as the request body.");
  }
  return doc as Record<string, unknown>;
}

export class CborCodec implements ProtocolCodec {
  readonly name = "smithy-rpc-v2-cbor" as const;

  resolveOperation(req: HttpRequest, model: ServiceModel): string {
    const m = PATH.exec(req.path);
    if (req.method !== "POST" || !m) throw new ServiceError("UnknownOperationException", "", 404);
    let service: string, operation: string;
    try {
      [service, operation] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
    } catch {
      throw new ServiceError("UnknownOperationException", "", 404);
    }
    const known = !model.metadata.targetPrefix || service === model.metadata.targetPrefix;
    if (!known || !model.operations[operation]) throw new ServiceError("UnknownOperationException", `Unknown operation ${service}.${operation}`, 404);
    if (req.headers["smithy-protocol"] !== "rpc-v2-cbor") {
      throw new ServiceError("UnknownOperationException", "The smithy-protocol header must be rpc-v2-cbor.", 400);
    }
    const ct = req.headers["content-type"];
    if (req.body.length > 0 && ct && !/^application\/cbor\s*(;.*)?$/i.test(ct)) {
      throw new ServiceError("UnsupportedMediaType", `Content-Type ${ct} is not supported; expected application/cbor.`, 415);
    }
    return operation;
  }

  parseInput(req: HttpRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    const doc = decodeBody(requestBody(req));
    const input = model.operations[operation].input;
    if (!input) return {};
    return (decodeDocument(model, input, doc, cborFormat) ?? {}) as Record<string, unknown>;
  }

  serializeOutput(output: Record<string, unknown>, model: ServiceModel, operation: string, meta: ResponseMeta): HttpResponse {
    const ref = model.operations[operation].output;
    const doc = ref ? encodeDocument(model, ref, output ?? {}, cborFormat) : {};
    return { status: 200, headers: this.headers(meta), body: encode(doc ?? {}) };
  }

  serializeError(error: ServiceError, model: ServiceModel, _operation: string | undefined, meta: ResponseMeta): HttpResponse {
    return {
      status: documentErrorStatus(error, model, meta),
      headers: { ...this.headers(meta), ...queryErrorHeaders(model, error), ...error.headers },
      body: encode(errorDocument(error, model, cborFormat)),
    };
  }

  private headers(meta: ResponseMeta): Record<string, string> {
    return { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", "x-amzn-requestid": meta.requestId };
  }
}
