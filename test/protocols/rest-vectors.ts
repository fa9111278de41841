// Runs AWS's REST protocol vectors against a codec: requests must parse back to `params`; results and errors
// must serialize to a response that means the same as the vector's (status, headers, decoded body).
import assert from "node:assert/strict";
import { ServiceError } from "../../src/core/errors.js";
import type { ServiceModel } from "../../src/core/model.js";
import type { HttpRequest, HttpResponse, ProtocolCodec } from "../../src/protocols/types.js";
import { parseXml, child, type XmlNode } from "../../src/protocols/xml.js";
import { readValue } from "../../src/protocols/rest-xml.js";
import { plain, typed, vectorRequest, type loadVectors } from "./vectors.js";

type Vector = ReturnType<typeof loadVectors>[number];

export function checkInput(codec: ProtocolCodec, v: Vector): void {
  const req = vectorRequest(v.case);
  const op = codec.resolveOperation(req, v.model);
  assert.equal(op, v.case.given.name);
  const input = codec.parseInput(req, v.model, op);
  assert.deepEqual(plain(v.model, v.case.given.input, input), onTheWire(v.model, v.case.given.input?.shape, v.case.params ?? {}));
}

/**
 * The params as a server can see them: a client leaves out null members, and empty lists or maps bound to
 * the query string or headers (there is nothing to send), so the server cannot get them back.
 */
function onTheWire(model: ServiceModel, shapeName: string | undefined, params: Record<string, unknown>): Record<string, unknown> {
  const shape = shapeName ? model.shapes[shapeName] : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(params)) {
    if (val === null) continue;
    const ref = shape?.members?.[k];
    const located = ref?.location === "querystring" || ref?.location === "header" || ref?.location === "headers";
    if (located && val && typeof val === "object" && Object.keys(val).length === 0) continue;
    out[k] = val;
  }
  return out;
}

/** A model whose one operation takes `shape` as input, so parseInput can decode a response of that shape. */
function decoderModel(v: Vector, shape: string): ServiceModel {
  const given = v.case.given;
  // A response has no uri or query: members bound there travel in the body, as the serializer wrote them.
  const s = v.model.shapes[shape];
  const members = Object.fromEntries(
    Object.entries(s.members ?? {}).map(([n, r]) => [n, r.location === "uri" || r.location === "querystring" ? { ...r, location: undefined } : r]),
  );
  const http = { method: "POST", requestUri: "/" };
  return { ...v.model, shapes: { ...v.model.shapes, [shape]: { ...s, members } }, operations: { [given.name]: { name: given.name, http, input: { shape } } } };
}

function asRequest(v: Vector, res: { headers: Record<string, string>; body: Buffer }): HttpRequest {
  const headers: Record<string, string> = {};
  // The protocol's own headers are not the operation's: leave them out of what prefix-header members see.
  const own = ["content-type", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "x-amzn-errortype"];
  for (const [k, val] of Object.entries(res.headers)) if (!own.includes(k.toLowerCase())) headers[k.toLowerCase()] = val;
  return { method: v.case.given.http?.method ?? "POST", path: "/", query: "", headers, body: res.body };
}

const bodyOf = (r: HttpResponse) => (typeof r.body === "string" ? Buffer.from(r.body, "utf8") : r.body);

/** Decodes a response of `shape` (headers + body) with the codec's own request reader. */
function decode(codec: ProtocolCodec, v: Vector, shape: string, res: { headers: Record<string, string>; body: Buffer }): unknown {
  const model = decoderModel(v, shape);
  const out = codec.parseInput(asRequest(v, res), model, v.case.given.name);
  return plain(model, { shape }, out);
}

/** Names of JSON keys / XML elements at every depth, so a decoder's leniency cannot hide a wrong name. */
function skeleton(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => skeleton(v, `${prefix}[]`, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      // Clients ignore __type inside documents and null members; neither is something a server must send.
      if (k === "__type" || v === null) continue;
      out.add(`${prefix}/${k}`);
      skeleton(v, `${prefix}/${k}`, out);
    }
  }
  return out;
}

function xmlSkeleton(node: XmlNode, prefix = "", out = new Set<string>()): Set<string> {
  for (const a of Object.keys(node.attrs)) if (!a.startsWith("xmlns")) out.add(`${prefix}/${node.local}@${a}`);
  out.add(`${prefix}/${node.local}`);
  for (const c of node.children) xmlSkeleton(c, `${prefix}/${node.local}`, out);
  return out;
}

function checkHeaders(expected: Record<string, string> | undefined, actual: Record<string, string>, ignore: string[], emptyBody = false): void {
  const ours: Record<string, string> = {};
  for (const [k, v] of Object.entries(actual)) ours[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(expected ?? {})) {
    const key = k.toLowerCase();
    if (key === "content-length" || ignore.includes(key)) continue;
    // A content type on an empty body says nothing; ours is left off.
    if (key === "content-type" && emptyBody) continue;
    assert.ok(ours[key] !== undefined, `header ${k} missing`);
    const norm = (s: string) =>
      s
        .split(",")
        .map((p) => p.trim())
        .join(",");
    assert.equal(norm(ours[key]), norm(v), `header ${k}`);
  }
}

export function checkOutput(codec: ProtocolCodec, v: Vector, kind: "json" | "xml"): void {
  const c = v.case;
  const expectedBody = Buffer.from(c.response?.body ?? "", "utf8");
  if (c.errorCode !== undefined || c.error) return checkError(codec, v, kind, expectedBody);
  const outShape = c.given.output?.shape;
  const output = (outShape ? typed(v.model, { shape: outShape }, c.result ?? {}) : {}) as Record<string, unknown>;
  const res = codec.serializeOutput(output, v.model, c.given.name, { requestId: "req-1" });
  assert.equal(res.status, c.response!.status_code, "status");
  checkHeaders(c.response!.headers, res.headers, [], !c.response!.body);
  if (!outShape) return;
  const ours = decode(codec, v, outShape, { headers: res.headers, body: bodyOf(res) });
  const statusMember = Object.entries(v.model.shapes[outShape].members ?? {}).find(([, r]) => r.location === "statusCode")?.[0];
  const expected = onTheWire(v.model, outShape, c.result ?? {});
  if (statusMember) delete expected[statusMember];
  assert.deepEqual(ours, expected, "decoded body and headers");
  const payload = v.model.shapes[outShape].payload;
  const payloadShape = payload ? v.model.shapes[v.model.shapes[outShape].members![payload].shape] : undefined;
  if (expectedBody.length && (!payloadShape || payloadShape.type === "structure" || payloadShape.type === "union")) {
    if (kind === "json") assert.deepEqual(skeleton(JSON.parse(bodyOf(res).toString())), skeleton(JSON.parse(expectedBody.toString())), "JSON key names");
    else assert.deepEqual(xmlSkeleton(parseXml(bodyOf(res).toString())!), xmlSkeleton(parseXml(expectedBody.toString())!), "XML element names");
  }
}

function checkError(codec: ProtocolCodec, v: Vector, kind: "json" | "xml", expectedBody: Buffer): void {
  const c = v.case;
  const shapeName = c.given.errors?.[0]?.shape ?? c.errorCode!;
  const shape = v.model.shapes[shapeName];
  const code = shape?.error?.code ?? c.errorCode ?? shapeName;
  const fields = (typed(v.model, { shape: shapeName }, c.error ?? {}) ?? {}) as Record<string, unknown>;
  const message = c.errorMessage ?? (fields.Message as string | undefined) ?? (fields.message as string | undefined) ?? "";
  const err = new ServiceError(code, message, c.response!.status_code, { shapeName, fields });
  const res = codec.serializeError(err, v.model, c.given.name, { requestId: "req-1" });
  assert.equal(res.status, c.response!.status_code, "status");
  const body = bodyOf(res);
  if (kind === "json") {
    assert.equal(res.headers["x-amzn-errortype"], code);
    const members = Object.entries(shape.members ?? {});
    const decoded = decode(codec, v, shapeName, { headers: res.headers, body }) as Record<string, unknown>;
    assert.deepEqual(decoded, c.error ?? {}, "decoded error members");
    const doc = JSON.parse(body.toString()) as Record<string, unknown>;
    for (const [name, ref] of members) if (!ref.location && c.error?.[name] !== undefined) assert.ok((ref.locationName ?? name) in doc, `body key ${name}`);
    return;
  }
  const root = parseXml(body.toString());
  assert.ok(root, "error body is XML");
  const errorEl = root.local === "Error" ? root : child(root, "Error")!;
  assert.equal(child(errorEl, "Code")?.text, code);
  const expectedRoot = expectedBody.length ? parseXml(expectedBody.toString()) : undefined;
  if (expectedRoot) {
    assert.equal(root.local, expectedRoot.local, "error envelope");
    assert.equal(child(errorEl, "RequestId") !== undefined || child(root, "RequestId") !== undefined, true);
  }
  const bodyFields = plain(v.model, { shape: shapeName }, readValue(v.model, { shape: shapeName }, errorEl)) as Record<string, unknown>;
  const headerFields = plain(
    v.model,
    { shape: shapeName },
    codec.parseInput(asRequest(v, { headers: res.headers, body: Buffer.alloc(0) }), decoderModel(v, shapeName), c.given.name),
  ) as Record<string, unknown>;
  assert.deepEqual({ ...bodyFields, ...headerFields }, c.error ?? {}, "decoded error members");
}
