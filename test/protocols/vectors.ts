// Loads AWS's protocol compliance vectors (../shared/protocol-tests) as models our codecs can read,
// and normalizes typed values (Date, Buffer) to the plain forms the vectors write them in.
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { MemberRef, OperationModel, ServiceModel, Shape } from "../../src/core/model.js";

export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "protocol-tests");
export const vectorsPresent = existsSync(VECTORS_DIR);

export interface VectorCase {
  id: string;
  description?: string;
  given: OperationModel & { name: string };
  params?: Record<string, unknown>;
  serialized?: {
    method: string;
    uri: string;
    host?: string;
    body?: string;
    headers?: Record<string, string>;
    forbidHeaders?: string[];
    requireHeaders?: string[];
  };
  result?: Record<string, unknown>;
  error?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  response?: { status_code: number; headers?: Record<string, string>; body?: string };
}

export interface VectorSuite {
  description: string;
  metadata: ServiceModel["metadata"];
  shapes: Record<string, Shape>;
  cases: VectorCase[];
}

/** Each case of a vector file, with a model holding its suite's shapes and the case's operation. */
export function loadVectors(kind: "input" | "output", file: string): { suite: VectorSuite; case: VectorCase; model: ServiceModel; skip?: string }[] {
  if (!vectorsPresent) return [];
  const suites = JSON.parse(readFileSync(join(VECTORS_DIR, kind, file), "utf8")) as VectorSuite[];
  const ignore = ignoreList();
  const protocolKey = file.replace(/\.json$/, "");
  const out = [];
  for (const suite of suites) {
    for (const c of suite.cases) {
      const model: ServiceModel = { metadata: suite.metadata, shapes: suite.shapes, operations: { [c.given.name]: c.given } };
      let skip: string | undefined;
      if (ignore.general[kind]?.suites?.includes(suite.description)) skip = "botocore skips this suite";
      if (ignore.protocols[protocolKey]?.[kind]?.cases?.includes(c.id)) skip = "botocore skips this case";
      out.push({ suite, case: c, model, skip });
    }
  }
  return out;
}

interface IgnoreList {
  general: Record<string, { suites?: string[] }>;
  protocols: Record<string, Record<string, { cases?: string[] }>>;
}

function ignoreList(): IgnoreList {
  return JSON.parse(readFileSync(join(VECTORS_DIR, "protocol-tests-ignore-list.json"), "utf8")) as IgnoreList;
}

type Leaf = (shape: Shape, value: unknown) => unknown;

// Walks a value by its shape, rebuilding structures, lists and maps and converting each scalar with `leaf`.
function walk(model: ServiceModel, ref: MemberRef | { shape: string } | undefined, value: unknown, leaf: Leaf): unknown {
  if (value === undefined || value === null || !ref) return value;
  const shape = model.shapes[ref.shape];
  if (shape.document) return value; // documents are plain JSON on both sides
  switch (shape.type) {
    case "structure":
    case "union": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const m = shape.members?.[k];
        out[k] = m ? walk(model, m, v, leaf) : v;
      }
      return out;
    }
    case "list":
      return (value as unknown[]).map((v) => walk(model, shape.member, v, leaf));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = walk(model, shape.value, v, leaf);
      return out;
    }
    default:
      return leaf(shape, value);
  }
}

/**
 * A typed value in the vectors' plain form: timestamps as epoch seconds, blobs as UTF-8 text,
 * NaN/Infinity as the strings the vectors use.
 */
export function plain(model: ServiceModel, ref: MemberRef | { shape: string } | undefined, value: unknown): unknown {
  return walk(model, ref, value, (shape, v) => {
    switch (shape.type) {
      case "timestamp":
        return v instanceof Date ? v.getTime() / 1000 : v;
      case "blob":
        return v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : v;
      case "float":
      case "double":
        return typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : v;
      default:
        return v;
    }
  });
}

/** The vectors' plain form → typed values (the inverse of plain), to feed a serializer. */
export function typed(model: ServiceModel, ref: MemberRef | { shape: string } | undefined, value: unknown): unknown {
  return walk(model, ref, value, (shape, v) => {
    switch (shape.type) {
      case "timestamp":
        return typeof v === "number" ? new Date(v * 1000) : v;
      case "blob":
        return typeof v === "string" ? Buffer.from(v, "utf8") : v;
      case "float":
      case "double":
        return v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v;
      default:
        return v;
    }
  });
}

/** A vector's serialized request as the HttpRequest a codec reads. */
export function vectorRequest(c: VectorCase): import("../../src/protocols/types.js").HttpRequest {
  const s = c.serialized!;
  const q = s.uri.indexOf("?");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    method: s.method,
    path: q < 0 ? s.uri : s.uri.slice(0, q),
    query: q < 0 ? "" : s.uri.slice(q + 1),
    headers,
    body: Buffer.from(s.body ?? "", "utf8"),
  };
}
