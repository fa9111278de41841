// The rest-json protocol (Lambda, API Gateway, EKS …): REST bindings around a JSON document body.
import { ServiceError } from "../core/errors.js";
import type { MemberRef, ServiceModel, Shape } from "../core/model.js";
import { formatTimestamp, parseTimestamp, timestampFormatOf, toBuffer } from "./shared.js";
import type { HttpRequest, HttpResponse, ProtocolCodec, ResponseMeta } from "./types.js";
import { resolveRestOperation } from "./rest-routing.js";
import { readRequest, writeHeaders, writeResponse, type BodyFormat } from "./rest-bindings.js";

const serialization = (message: string) => new ServiceError("SerializationException", message, 400);

function kindOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** A JSON value → the typed value of its shape; wrong types are the client's SerializationException. */
export function readJsonValue(model: ServiceModel, ref: MemberRef, v: unknown, path: string): unknown {
  if (v === null || v === undefined) return undefined;
  const shape = model.shapes[ref.shape];
  const wrong = () => serialization(`Unexpected ${kindOf(v)} for ${path || "the request body"}: expected ${shape.document ? "a document" : shape.type}.`);
  if (shape.document) return v;
  switch (shape.type) {
    case "structure":
    case "union": {
      if (kindOf(v) !== "object") throw wrong();
      return readJsonMembers(model, Object.entries(shape.members ?? {}), v as Record<string, unknown>, path);
    }
    case "list":
      if (!Array.isArray(v)) throw wrong();
      return v.map((item, i) => (item === null ? null : readJsonValue(model, shape.member!, item, `${path}[${i}]`)));
    case "map": {
      if (kindOf(v) !== "object") throw wrong();
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        if (item !== null) out[k] = readJsonValue(model, shape.value!, item, `${path}.${k}`);
      }
      return out;
    }
    case "string":
      if (typeof v !== "string") throw wrong();
      return v;
    case "boolean":
      if (typeof v !== "boolean") throw wrong();
      return v;
    case "integer":
    case "long":
      if (typeof v !== "number" || !Number.isInteger(v)) throw wrong();
      return v;
    case "float":
    case "double":
      if (v === "NaN") return NaN;
      if (v === "Infinity") return Infinity;
      if (v === "-Infinity") return -Infinity;
      if (typeof v !== "number") throw wrong();
      return v;
    case "timestamp": {
      if (typeof v === "number") return new Date(Math.round(v * 1000));
      if (typeof v !== "string") throw wrong();
      const d = parseTimestamp(
        v,
        timestampFormatOf(ref, shape, "unixTimestamp") === "unixTimestamp" ? undefined : timestampFormatOf(ref, shape, "unixTimestamp"),
      );
      if (!d) throw serialization(`Value '${v}' at ${path} is not a valid timestamp.`);
      return d;
    }
    case "blob":
      if (typeof v !== "string") throw wrong();
      return Buffer.from(v, "base64");
    default:
      return v;
  }
}

function readJsonMembers(model: ServiceModel, members: [string, MemberRef][], obj: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of members) {
    const key = ref.locationName ?? name;
    const value = readJsonValue(model, ref, obj[key], path ? `${path}.${key}` : key);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** A typed value → its JSON form (timestamps epoch seconds unless the model says otherwise, blobs base64). */
export function writeJsonValue(model: ServiceModel, ref: MemberRef, v: unknown): unknown {
  const shape: Shape = model.shapes[ref.shape];
  if (shape.document) return v;
  switch (shape.type) {
    case "structure":
    case "union":
      return writeJsonMembers(model, Object.entries(shape.members ?? {}), v as Record<string, unknown>);
    case "list":
      return (v as unknown[]).map((item) => (item === null || item === undefined ? null : writeJsonValue(model, shape.member!, item)));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        if (item !== undefined) out[k] = item === null ? null : writeJsonValue(model, shape.value!, item);
      }
      return out;
    }
    case "timestamp":
      return formatTimestamp(v, timestampFormatOf(ref, shape, "unixTimestamp"));
    case "blob":
      return toBuffer(v).toString("base64");
    case "float":
    case "double": {
      const n = Number(v);
      return Number.isFinite(n) ? n : Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
    }
    default:
      return v;
  }
}

function writeJsonMembers(model: ServiceModel, members: [string, MemberRef][], value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of members) {
    const v = value[name];
    if (v !== undefined && v !== null) out[ref.locationName ?? name] = writeJsonValue(model, ref, v);
  }
  return out;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw serialization(`Could not parse request body into json: ${(e as Error).message}`);
  }
}

export const jsonBody: BodyFormat = {
  contentType: "application/json",
  malformed: (m = "Could not parse request body into json") => serialization(m),
  badValue: (m) => serialization(m),
  readBody(model, _shape, members, body) {
    const doc = parseJson(body);
    if (kindOf(doc) !== "object") throw serialization(`Unexpected ${kindOf(doc)} for the request body: expected an object.`);
    return readJsonMembers(model, members, doc as Record<string, unknown>, "");
  },
  readPayload(model, name, ref, body) {
    return readJsonValue(model, ref, parseJson(body), ref.locationName ?? name);
  },
  writeBody(model, _shapeName, members, value) {
    return JSON.stringify(writeJsonMembers(model, members, value));
  },
  writePayload(model, _name, ref, value) {
    return JSON.stringify(writeJsonValue(model, ref, value));
  },
};

export class RestJsonCodec implements ProtocolCodec {
  readonly name = "rest-json" as const;

  resolveOperation(req: HttpRequest, model: ServiceModel): string {
    return resolveRestOperation(
      req,
      model,
      () => new ServiceError("UnknownOperationException", `No ${model.metadata.serviceId} operation matches ${req.method} ${req.path}.`, 404),
    );
  }

  parseInput(req: HttpRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    return readRequest(req, model, operation, jsonBody);
  }

  serializeOutput(output: Record<string, unknown>, model: ServiceModel, operation: string, meta: ResponseMeta): HttpResponse {
    const res = writeResponse(model, operation, output, jsonBody, { "x-amzn-requestid": meta.requestId });
    // Servers answer a JSON object even when the output has no body members (clients accept both),
    // except with 204/304, which carry no body at all (Lambda's DeleteAlias answers 204).
    const bodiless = res.status === 204 || res.status === 304;
    if (res.body === "" && !bodiless && !model.shapes[model.operations[operation].output?.shape ?? ""]?.payload) {
      res.body = "{}";
      res.headers["content-type"] ??= "application/json";
    }
    return res;
  }

  serializeError(error: ServiceError, model: ServiceModel, _operation: string | undefined, meta: ResponseMeta): HttpResponse {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-amzn-requestid": meta.requestId,
      "x-amzn-errortype": error.code,
    };
    const shape = model.shapes[error.shapeName];
    const fields = error.fields ?? {};
    let body: Record<string, unknown>;
    if (shape && (shape.exception || shape.error)) {
      writeHeaders(model, shape, fields, headers);
      const members = Object.entries(shape.members ?? {}).filter(([, r]) => !r.location);
      body = writeJsonMembers(model, members, fields);
      // The message goes under the member name the error shape declares (Message or message).
      const messageMember = members.find(([n]) => n.toLowerCase() === "message");
      const messageKey = messageMember ? (messageMember[1].locationName ?? messageMember[0]) : "message";
      if (error.message && body[messageKey] === undefined) body[messageKey] = error.message;
    } else {
      body = {};
      if (error.message) body.message = error.message;
      for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) body[k] = v instanceof Date ? v.getTime() / 1000 : v;
    }
    return { status: error.status, headers: Object.assign({}, headers, lowerKeys(error.headers)), body: JSON.stringify(body) };
  }
}

export function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}
