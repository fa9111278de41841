// The rest-xml protocol (S3, Route 53, CloudFront): REST bindings around an XML document body.
import { ServiceError } from "../core/errors.js";
import type { MemberRef, ServiceModel, Shape } from "../core/model.js";
import { parseTimestamp, scalarText, timestampFormatOf } from "./shared.js";
import type { HttpRequest, HttpResponse, ProtocolCodec, ResponseMeta } from "./types.js";
import { resolveRestOperation } from "./rest-routing.js";
import { readRequest, writeHeaders, writeResponse, type BodyFormat, type RootInfo } from "./rest-bindings.js";
import { attr, child, childrenNamed, parseXml, XML_DECLARATION, XmlElement, type XmlNode } from "./xml.js";
import { lowerKeys } from "./rest-json.js";
import { randomBase64 } from "../core/ids.js";

// S3's wording for any body it cannot read.
const malformedXml = () => new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);

/**
 * The element name a flattened list or map repeats: the member's own name (Smithy's rule, which the vectors
 * hold servers to). botocore reads the list member's name instead; no rest-xml AWS model tells the two apart.
 */
function memberKey(_model: ServiceModel, name: string, ref: MemberRef): string {
  return ref.locationName ?? name;
}

function readMembers(model: ServiceModel, members: [string, MemberRef][], node: XmlNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of members) {
    const key = ref.locationName ?? name;
    let v: unknown;
    if (ref.xmlAttribute) {
      const text = attr(node, key);
      if (text !== undefined) v = readScalar(model, ref, text);
    } else {
      const shape = model.shapes[ref.shape];
      const flattened = shape.flattened || ref.flattened;
      if (flattened && (shape.type === "list" || shape.type === "map")) {
        let items = childrenNamed(node, memberKey(model, name, ref));
        const alt = shape.type === "list" ? shape.member?.locationName : undefined;
        if (!items.length && alt) items = childrenNamed(node, alt);
        if (items.length) v = shape.type === "list" ? items.map((i) => readValue(model, shape.member!, i)) : readEntries(model, shape, items);
      } else {
        const c = child(node, key);
        if (c) v = readValue(model, ref, c);
      }
    }
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function readEntries(model: ServiceModel, shape: Shape, entries: XmlNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keyName = shape.key!.locationName ?? "key";
  const valueName = shape.value!.locationName ?? "value";
  for (const e of entries) {
    const k = child(e, keyName);
    const v = child(e, valueName);
    if (k) out[k.text] = v ? readValue(model, shape.value!, v) : undefined;
  }
  return out;
}

export function readValue(model: ServiceModel, ref: MemberRef, node: XmlNode): unknown {
  const shape = model.shapes[ref.shape];
  switch (shape.type) {
    case "structure":
    case "union":
      return readMembers(model, Object.entries(shape.members ?? {}), node);
    case "list":
      return childrenNamed(node, shape.member!.locationName ?? "member").map((i) => readValue(model, shape.member!, i));
    case "map":
      return readEntries(model, shape, childrenNamed(node, "entry"));
    default:
      return readScalar(model, ref, node.text);
  }
}

function readScalar(model: ServiceModel, ref: MemberRef, text: string): unknown {
  const shape = model.shapes[ref.shape];
  const t = text.trim();
  switch (shape.type) {
    case "integer":
    case "long":
      if (!/^[-+]?\d+$/.test(t)) throw malformedXml();
      return Number(t);
    case "float":
    case "double": {
      if (t === "NaN" || t === "Infinity" || t === "-Infinity") return Number(t);
      const n = Number(t);
      if (t === "" || Number.isNaN(n)) throw malformedXml();
      return n;
    }
    case "boolean":
      if (t !== "true" && t !== "false") throw malformedXml();
      return t === "true";
    case "timestamp": {
      const d = parseTimestamp(t, timestampFormatOf(ref, shape, "iso8601") === "unixTimestamp" ? "unixTimestamp" : undefined);
      if (!d) throw malformedXml();
      return d;
    }
    case "blob":
      return Buffer.from(t, "base64");
    default:
      return text;
  }
}

function namespaceAttr(el: XmlElement, ns: { prefix?: string; uri: string } | undefined): void {
  if (ns) el.attr(ns.prefix ? `xmlns:${ns.prefix}` : "xmlns", ns.uri);
}

function writeStructure(model: ServiceModel, el: XmlElement, members: [string, MemberRef][], value: Record<string, unknown>): XmlElement {
  for (const [name, ref] of members) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (ref.xmlAttribute) el.attr(ref.locationName ?? name, scalarText(v, model.shapes[ref.shape], ref, "iso8601"));
  }
  for (const [name, ref] of members) {
    const v = value[name];
    if (v === undefined || v === null || ref.xmlAttribute) continue;
    const shape = model.shapes[ref.shape];
    if ((shape.flattened || ref.flattened) && (shape.type === "list" || shape.type === "map")) {
      const tag = memberKey(model, name, ref);
      if (shape.type === "list") for (const item of v as unknown[]) el.add(writeValue(model, shape.member!, tag, item));
      else for (const [k, item] of Object.entries(v as Record<string, unknown>)) el.add(writeEntry(model, shape, tag, k, item));
    } else el.add(writeValue(model, ref, ref.locationName ?? name, v));
  }
  return el;
}

function writeEntry(model: ServiceModel, shape: Shape, tag: string, k: string, v: unknown): XmlElement {
  const e = new XmlElement(tag);
  e.add(writeValue(model, shape.key!, shape.key!.locationName ?? "key", k));
  if (v !== undefined && v !== null) e.add(writeValue(model, shape.value!, shape.value!.locationName ?? "value", v));
  return e;
}

export function writeValue(model: ServiceModel, ref: MemberRef, tag: string, v: unknown): XmlElement {
  const shape = model.shapes[ref.shape];
  const el = new XmlElement(tag);
  namespaceAttr(el, ref.xmlNamespace ?? shape.xmlNamespace);
  switch (shape.type) {
    case "structure":
    case "union":
      return writeStructure(model, el, Object.entries(shape.members ?? {}), v as Record<string, unknown>);
    case "list":
      for (const item of v as unknown[]) el.add(writeValue(model, shape.member!, shape.member!.locationName ?? "member", item));
      return el;
    case "map":
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) el.add(writeEntry(model, shape, "entry", k, item));
      return el;
    default:
      return el.add(scalarText(v, shape, ref, "iso8601"));
  }
}

function parseBody(body: Buffer): XmlNode {
  const root = parseXml(body.toString("utf8"));
  if (!root) throw malformedXml();
  return root;
}

export const xmlBody: BodyFormat = {
  contentType: "application/xml",
  malformed: () => malformedXml(),
  badValue: (m) => new ServiceError("InvalidArgument", m, 400),
  readBody(model, _shape, members, body) {
    return readMembers(model, members, parseBody(body));
  },
  readPayload(model, _name, ref, body) {
    return readValue(model, ref, parseBody(body));
  },
  writeBody(model, shapeName, members, value, root?: RootInfo) {
    if (members.length === 0) return undefined;
    const shape = model.shapes[shapeName];
    const el = new XmlElement(root?.name ?? shape.locationName ?? shapeName);
    // A service may declare its namespace on every document it returns (S3), where the model says so on some.
    namespaceAttr(el, root?.xmlNamespace ?? shape.xmlNamespace ?? (model.wire?.xmlNamespace ? { uri: model.wire.xmlNamespace } : undefined));
    return XML_DECLARATION + writeStructure(model, el, members, value).toString();
  },
  writePayload(model, name, ref, value) {
    // A payload element takes the member's xmlName if it has its own, else the target shape's (botocore
    // copies the member name into locationName, so that one does not count).
    const own = ref.locationName && ref.locationName !== name ? ref.locationName : undefined;
    return XML_DECLARATION + writeValue(model, ref, own ?? model.shapes[ref.shape].locationName ?? ref.shape, value).toString();
  },
};

export class RestXmlCodec implements ProtocolCodec {
  readonly name = "rest-xml" as const;

  resolveOperation(req: HttpRequest, model: ServiceModel): string {
    return resolveRestOperation(req, model, (pathMatched) =>
      pathMatched || model.wire?.unmatchedIsMethodNotAllowed
        ? new ServiceError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, {
            fields: { Method: req.method.toUpperCase(), ResourceType: resourceType(req.path) },
          })
        : new ServiceError("UnknownOperationException", `No ${model.metadata.serviceId} operation matches ${req.method} ${req.path}.`, 404),
    );
  }

  parseInput(req: HttpRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    return readRequest(req, model, operation, xmlBody);
  }

  serializeOutput(output: Record<string, unknown>, model: ServiceModel, operation: string, meta: ResponseMeta): HttpResponse {
    return writeResponse(model, operation, output, xmlBody, requestHeaders(meta));
  }

  serializeError(error: ServiceError, model: ServiceModel, _operation: string | undefined, meta: ResponseMeta): HttpResponse {
    const headers: Record<string, string> = { "content-type": "application/xml", ...requestHeaders(meta) };
    const fields = error.fields ?? {};
    const shape = model.shapes[error.shapeName];
    const err = new XmlElement("Error");
    const bare = model.wire?.noErrorWrapping;
    if (!bare) err.add(new XmlElement("Type").add(error.senderFault ? "Sender" : "Receiver"));
    err.add(new XmlElement("Code").add(error.code));
    if (error.message) err.add(new XmlElement("Message").add(error.message));
    const modeled = shape && (shape.exception || shape.error) ? shape.members : undefined;
    if (modeled) {
      writeHeaders(model, shape, fields, headers);
      const members = Object.entries(modeled).filter(([n, r]) => !r.location && n.toLowerCase() !== "message");
      writeStructure(model, err, members, fields);
    }
    // Detail elements the model leaves out (S3's NoSuchBucket has no members, yet AWS sends <BucketName>): written
    // as text after the modeled ones, in the order the error gives them.
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined || v === null || (modeled && k in modeled)) continue;
      err.add(new XmlElement(k).add(v instanceof Date ? v.toISOString() : String(v)));
    }
    let root: XmlElement;
    if (bare) {
      // A bare <Error> with the request ids inside (S3); other rest-xml services wrap it in <ErrorResponse>.
      root = err.add(new XmlElement("RequestId").add(meta.requestId)).add(new XmlElement("HostId").add(headers["x-amz-id-2"]));
    } else {
      root = new XmlElement("ErrorResponse");
      namespaceAttr(root, model.metadata.xmlNamespace ? { uri: model.metadata.xmlNamespace } : undefined);
      root.add(err).add(new XmlElement("RequestId").add(meta.requestId));
    }
    return { status: error.status, headers: Object.assign({}, headers, lowerKeys(error.headers)), body: XML_DECLARATION + root.toString() };
  }
}

function requestHeaders(meta: ResponseMeta): Record<string, string> {
  // x-amz-id-2 is not a secret: drawn without a call into OpenSSL (randomBytes cost each S3 response ~20 µs here).
  return { "x-amz-request-id": meta.requestId, "x-amz-id-2": randomBase64(48) };
}

function resourceType(path: string): string {
  const segments = path.split("/").filter(Boolean);
  return segments.length === 0 ? "SERVICE" : segments.length === 1 ? "BUCKET" : "OBJECT";
}
