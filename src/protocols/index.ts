// The codecs, one per AWS wire protocol, and how a request picks one for a multi-protocol service.
import type { ProtocolCodec, ProtocolName, HttpRequest } from "./types.js";
import { QueryCodec } from "./query.js";

// The query codec loads with the server (the gateway reads forms with it, and STS, IAM and SQS's query callers speak
// it); each other codec loads on the first request in its protocol: ~40 KB of code a cold start otherwise compiles.
const ready: Partial<Record<ProtocolName, ProtocolCodec>> = { query: new QueryCodec({ ec2: false }), ec2: new QueryCodec({ ec2: true }) };
const loaders: Record<ProtocolName, () => Promise<ProtocolCodec>> = {
  query: async () => ready.query!,
  ec2: async () => ready.ec2!,
  json: async () => new (await import("./json.js")).JsonCodec(),
  "rest-json": async () => new (await import("./rest-json.js")).RestJsonCodec(),
  "rest-xml": async () => new (await import("./rest-xml.js")).RestXmlCodec(),
  "smithy-rpc-v2-cbor": async () => new (await import("./cbor.js")).CborCodec(),
};
const loading = new Map<ProtocolName, Promise<ProtocolCodec>>();

/** The protocol's codec: at once once loaded, else a promise of it (the first request in that protocol loads it). */
export function codecFor(name: ProtocolName): ProtocolCodec | Promise<ProtocolCodec> {
  return ready[name] ?? loadCodec(name);
}

/** The protocol's codec, loaded if it is not yet. */
export function loadCodec(name: ProtocolName): Promise<ProtocolCodec> {
  const codec = ready[name];
  if (codec) return Promise.resolve(codec);
  let p = loading.get(name);
  if (!p) {
    p = loaders[name]().then((c) => (ready[name] = c));
    // A failed load (never expected: the codecs ship in the bundle) is retried by the next request.
    p.catch(() => loading.delete(name));
    loading.set(name, p);
  }
  return p;
}

/** The protocol this request speaks, among those the service offers (CloudWatch: CBOR, JSON and query). */
export function pickProtocol(offered: ProtocolName[], req: HttpRequest): ProtocolName {
  if (offered.length === 1) return offered[0];
  if (req.headers["smithy-protocol"] === "rpc-v2-cbor" && offered.includes("smithy-rpc-v2-cbor")) return "smithy-rpc-v2-cbor";
  if (req.headers["x-amz-target"] && offered.includes("json")) return "json";
  if (offered.includes("query")) {
    const ct = req.headers["content-type"] ?? "";
    if (ct.startsWith("application/x-www-form-urlencoded") || /(^|&)Action=/.test(req.query)) return "query";
  }
  return offered[0];
}

export type { ProtocolCodec, ProtocolName, HttpRequest, HttpResponse } from "./types.js";
