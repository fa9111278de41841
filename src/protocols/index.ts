// The codecs, one per AWS wire protocol, and how a request picks one for a multi-protocol service.
import type { ProtocolCodec, ProtocolName, HttpRequest } from "./types.js";
import { QueryCodec } from "./query.js";
import { JsonCodec } from "./json.js";
import { RestJsonCodec } from "./rest-json.js";
import { RestXmlCodec } from "./rest-xml.js";
import { CborCodec } from "./cbor.js";

export const codecs: Record<ProtocolName, ProtocolCodec> = {
  query: new QueryCodec({ ec2: false }),
  ec2: new QueryCodec({ ec2: true }),
  json: new JsonCodec(),
  "rest-json": new RestJsonCodec(),
  "rest-xml": new RestXmlCodec(),
  "smithy-rpc-v2-cbor": new CborCodec(),
};

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
