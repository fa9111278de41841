// Runs AWS's protocol vectors against an RPC codec (query, ec2, json, cbor): one node:test per case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { cbor } from "@smithy/core/cbor";
import { ServiceError } from "../../src/core/errors.js";
import type { MemberRef, ServiceModel } from "../../src/core/model.js";
import type { HttpResponse, ProtocolCodec } from "../../src/protocols/types.js";
import { loadVectors, plain, typed, vectorRequest, type VectorCase } from "./vectors.js";

export type BodyKind = "xml" | "json" | "cbor";

interface Options {
  /** Cases we cannot honour, by id, with the reason. */
  skip?: Record<string, string>;
  /** Adjusts a vector's request before it is fed to the codec (e.g. a header the vector leaves out). */
  /** Cases botocore skips (client-side reasons) that a server can still be held to. */
  unskip?: string[];
  prepare?: (req: ReturnType<typeof vectorRequest>, c: VectorCase, model: ServiceModel) => void;
}

function reasonFor(id: string, skip: string | undefined, opts: Options): string | undefined {
  if (process.env.VECTORS_NO_SKIP) return undefined;
  return opts.skip?.[id] ?? (opts.unskip?.includes(id) ? undefined : skip);
}

/** Drops nulls from a vector's plain params: null members mean "not sent". */
function noNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noNulls);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = noNulls(x);
    return out;
  }
  return v;
}

export function inputVectors(file: string, codec: ProtocolCodec, kind: BodyKind, opts: Options = {}): void {
  for (const { case: c, model, skip } of loadVectors("input", file)) {
    const reason = reasonFor(c.id, skip, opts);
    test(`${file} input ${c.id}`, reason ? { skip: reason } : {}, () => {
      const req = vectorRequest(c);
      if (kind === "cbor") req.body = Buffer.from(c.serialized!.body ?? "", "base64");
      opts.prepare?.(req, c, model);
      const op = codec.resolveOperation(req, model);
      assert.equal(op, c.given.name);
      const input = codec.parseInput(req, model, op);
      assert.deepStrictEqual(plain(model, c.given.input, input), noNulls(c.params ?? {}));
    });
  }
}

/** The error shape a vector case raises: the one whose code (error.code, else its name) is the case's errorCode. */
function errorShape(model: ServiceModel, c: VectorCase): string {
  const names = [...(c.given.errors ?? []).map((e) => e.shape), ...Object.keys(model.shapes)];
  const hit = names.find((n) => model.shapes[n]?.exception && (model.shapes[n].error?.code ?? n) === c.errorCode);
  return hit ?? c.errorCode!;
}

export function outputVectors(file: string, codec: ProtocolCodec, kind: BodyKind, opts: Options = {}): void {
  for (const { case: c, model, skip } of loadVectors("output", file)) {
    const reason = reasonFor(c.id, skip, opts);
    test(`${file} output ${c.id}`, reason ? { skip: reason } : {}, () => {
      const meta = { requestId: "test-request-id" };
      const resp = c.response!;
      let res: HttpResponse;
      let bodyRef: { shape: string } | undefined;
      if (c.errorCode) {
        const name = errorShape(model, c);
        const shape = model.shapes[name];
        const fields = (typed(model, { shape: name }, c.error ?? {}) ?? {}) as Record<string, unknown>;
        const message = c.errorMessage ?? (fields.message as string) ?? (fields.Message as string) ?? "";
        const err = new ServiceError(shape?.error?.code ?? name, message, resp.status_code, {
          shapeName: name,
          senderFault: shape?.error?.senderFault ?? !shape?.fault,
          fields,
        });
        res = codec.serializeError(err, model, c.given.name, meta);
        bodyRef = shape ? { shape: name } : undefined;
      } else {
        const output = (typed(model, c.given.output, c.result ?? {}) ?? {}) as Record<string, unknown>;
        res = codec.serializeOutput(output, model, c.given.name, meta);
        bodyRef = c.given.output;
      }
      assert.equal(res.status, resp.status_code, "status");
      for (const [name, value] of Object.entries(resp.headers ?? {})) {
        const h = name.toLowerCase();
        if (h === "content-type") assert.equal(mediaType(res.headers["content-type"]), mediaType(value), "content-type");
        else if (h === "x-amzn-query-error" || h === "smithy-protocol") assert.equal(res.headers[h], value, h);
        else if (h === "x-amzn-requestid") assert.ok(res.headers[h], "x-amzn-requestid");
      }
      const ours = Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.body, "utf8");
      if (kind === "xml") {
        if (!resp.body) return; // the vector checks the status only
        assert.deepStrictEqual(xmlTree(ours.toString("utf8")), xmlTree(resp.body));
        return;
      }
      const theirs = kind === "cbor" ? Buffer.from(resp.body ?? "", "base64") : Buffer.from(resp.body ?? "", "utf8");
      const a = decodeBody(kind, ours);
      const b = decodeBody(kind, theirs);
      if (c.errorCode) assert.equal(bareType(a.__type), bareType(b.__type), "__type");
      if (bodyRef) sameDocument(model, bodyRef, a, b, kind, "$");
    });
  }
}

const mediaType = (ct: string | undefined) => (ct ?? "").split(";")[0].trim().toLowerCase();
const bareType = (t: unknown) =>
  String(t ?? "")
    .replace(/^.*#/, "")
    .replace(/:.*$/, "");

function decodeBody(kind: BodyKind, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  if (kind === "json") return (body.toString("utf8").trim() ? JSON.parse(body.toString("utf8")) : {}) as Record<string, unknown>;
  return cbor.deserialize(body) as Record<string, unknown>;
}

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true, ignoreDeclaration: true });
const ENVELOPE_NOISE = new Set(["ResponseMetadata", "requestId", "RequestId", "RequestID"]);

/** An XML body as a plain tree, request ids dropped and leaves normalized so equal meanings compare equal. */
export function xmlTree(xml: string): unknown {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!ENVELOPE_NOISE.has(k)) out[k] = norm(x);
      return out;
    }
    const s = String(v ?? "");
    // Timestamps with offsets and their UTC form mean the same instant.
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(s) || /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4}/.test(s)) return `@time:${Date.parse(s)}`;
    return s;
  };
  return norm(parser.parse(xml));
}

function epoch(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") return Date.parse(v) / 1000;
  if (v && typeof v === "object" && "tag" in v) return Number((v as unknown as { value: unknown }).value);
  return NaN;
}

function floatText(v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return typeof v === "bigint" ? Number(v) : v;
}

/** Compares two decoded bodies member by member as the model reads them (unknown keys and nulls ignored). */
export function sameDocument(model: ServiceModel, ref: MemberRef | { shape: string }, ours: unknown, theirs: unknown, kind: BodyKind, path: string): void {
  if (theirs === null || theirs === undefined) {
    assert.ok(ours === undefined || ours === null, `${path}: we wrote ${JSON.stringify(ours)}, expected nothing`);
    return;
  }
  assert.ok(ours !== undefined && ours !== null, `${path}: missing`);
  const shape = model.shapes[ref.shape];
  switch (shape.type) {
    case "structure":
    case "union":
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const key = kind === "json" ? (m.locationName ?? name) : name;
        sameDocument(model, m, (ours as Record<string, unknown>)[key], (theirs as Record<string, unknown>)[key], kind, `${path}.${key}`);
      }
      return;
    case "list":
      assert.equal((ours as unknown[]).length, (theirs as unknown[]).length, `${path}: length`);
      (theirs as unknown[]).forEach((t, i) => sameDocument(model, shape.member!, (ours as unknown[])[i], t, kind, `${path}[${i}]`));
      return;
    case "map": {
      const keys = Object.keys(theirs as object).filter((k) => (theirs as Record<string, unknown>)[k] !== null);
      assert.deepStrictEqual(Object.keys(ours as object).sort(), keys.sort(), `${path}: keys`);
      for (const k of keys)
        sameDocument(model, shape.value!, (ours as Record<string, unknown>)[k], (theirs as Record<string, unknown>)[k], kind, `${path}.${k}`);
      return;
    }
    case "timestamp":
      assert.ok(Math.abs(epoch(ours) - epoch(theirs)) < 1e-6, `${path}: ${String(ours)} vs ${String(theirs)}`);
      return;
    case "blob":
      if (kind === "json") assert.deepStrictEqual(Buffer.from(String(ours), "base64"), Buffer.from(String(theirs), "base64"), path);
      else assert.deepStrictEqual(Buffer.from(ours as Uint8Array), Buffer.from(theirs as Uint8Array), path);
      return;
    case "float":
    case "double":
      assert.deepStrictEqual(floatText(ours), floatText(theirs), path);
      return;
    default:
      assert.deepStrictEqual(floatText(ours), floatText(theirs), path);
  }
}
