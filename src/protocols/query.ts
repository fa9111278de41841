// The AWS query protocol (form-encoded input, XML output) and, by options, its EC2 variant.
import { CommonErrors, ServiceError } from "../core/errors.js";
import type { MemberRef, ServiceModel, Shape } from "../core/model.js";
import type { HttpRequest, HttpResponse, ProtocolCodec, ResponseMeta } from "./types.js";
import { escapeXml, parseTimestamp, scalarText } from "./shared.js";

/** A dotted form key split into a tree: `Tags.member.1.Key=a` → Tags → member → 1 → Key = "a". */
interface FormNode {
  value?: string;
  children?: Map<string, FormNode>;
}

export function parseForm(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  for (const pair of text.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const rawK = eq < 0 ? pair : pair.slice(0, eq);
    const rawV = eq < 0 ? "" : pair.slice(eq + 1);
    let k: string, v: string;
    try {
      k = decodeURIComponent(rawK.replace(/\+/g, " "));
      v = decodeURIComponent(rawV.replace(/\+/g, " "));
    } catch {
      throw CommonErrors.malformedQueryString(`Invalid URL encoding in '${pair.slice(0, 64)}'`);
    }
    out.set(k, v);
  }
  return out;
}

function formTree(form: Map<string, string>): FormNode {
  const root: FormNode = {};
  for (const [key, value] of form) {
    let node = root;
    for (const part of key.split(".")) {
      node.children ??= new Map();
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = {}));
      node = next;
    }
    node.value = value;
  }
  return root;
}

interface Variant {
  ec2: boolean;
}

export class QueryCodec implements ProtocolCodec {
  readonly name;
  constructor(private readonly variant: Variant = { ec2: false }) {
    this.name = variant.ec2 ? ("ec2" as const) : ("query" as const);
  }

  private form(req: HttpRequest): Map<string, string> {
    const cache = (req.cache ??= {});
    if (!cache.form) {
      const ct = req.headers["content-type"] ?? "";
      const fromBody = req.body.length > 0 && (ct === "" || ct.startsWith("application/x-www-form-urlencoded"));
      if (req.body.length > 0 && !fromBody) throw new ServiceError("UnsupportedMediaType", `Content-Type ${ct} is not supported; expected application/x-www-form-urlencoded.`, 415);
      const form = parseForm(req.query);
      if (fromBody) for (const [k, v] of parseForm(req.body.toString("utf8"))) form.set(k, v);
      cache.form = form;
    }
    return cache.form as Map<string, string>;
  }

  resolveOperation(req: HttpRequest, model: ServiceModel): string {
    const action = this.form(req).get("Action");
    if (!action) throw CommonErrors.missingAction();
    if (!model.operations[action]) throw CommonErrors.unknownOperation("query", action);
    return action;
  }

  parseInput(req: HttpRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    const op = model.operations[operation];
    if (!op.input) return {};
    const tree = formTree(this.form(req));
    return (this.readStructure(model, model.shapes[op.input.shape], tree) ?? {}) as Record<string, unknown>;
  }

  private memberKey(name: string, ref: MemberRef): string {
    if (this.variant.ec2) {
      if (ref.queryName) return ref.queryName;
      if (ref.locationName) return ref.locationName[0].toUpperCase() + ref.locationName.slice(1);
      return name;
    }
    return ref.locationName ?? name;
  }

  private readStructure(model: ServiceModel, shape: Shape, node: FormNode | undefined): Record<string, unknown> | undefined {
    if (!node?.children) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = this.readValue(model, ref, node.children.get(this.memberKey(name, ref)));
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  private readValue(model: ServiceModel, ref: MemberRef, node: FormNode | undefined): unknown {
    if (!node) return undefined;
    const shape = model.shapes[ref.shape];
    switch (shape.type) {
      case "structure":
      case "union":
        return this.readStructure(model, shape, node) ?? {};
      case "list": {
        const flattened = this.variant.ec2 || shape.flattened || ref.flattened;
        const container = flattened ? node : node.children?.get(shape.member!.locationName ?? "member");
        if (!container?.children) return node.value !== undefined ? [] : undefined;
        return indexed(container).map((n) => this.readValue(model, shape.member!, n));
      }
      case "map": {
        const flattened = shape.flattened || ref.flattened;
        const container = flattened ? node : node.children?.get("entry");
        if (!container?.children) return node.value !== undefined ? {} : undefined;
        const out: Record<string, unknown> = {};
        const keyName = shape.key!.locationName ?? "key";
        const valueName = shape.value!.locationName ?? "value";
        for (const entry of indexed(container)) {
          const k = entry.children?.get(keyName)?.value;
          if (k !== undefined) out[k] = this.readValue(model, shape.value!, entry.children?.get(valueName));
        }
        return out;
      }
      default:
        return node.value === undefined ? undefined : readScalar(shape, node.value);
    }
  }

  serializeOutput(output: Record<string, unknown>, model: ServiceModel, operation: string, meta: ResponseMeta): HttpResponse {
    const op = model.operations[operation];
    const ns = xmlns(model);
    let inner = "";
    if (op.output) inner = this.writeMembers(model, model.shapes[op.output.shape], output);
    let body: string;
    if (this.variant.ec2) {
      body = `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${ns}"><requestId>${meta.requestId}</requestId>${inner}</${operation}Response>`;
    } else {
      const wrapper = op.output?.resultWrapper;
      const result = wrapper ? `<${wrapper}>${inner}</${wrapper}>` : "";
      body = `<${operation}Response xmlns="${ns}">${result}<ResponseMetadata><RequestId>${meta.requestId}</RequestId></ResponseMetadata></${operation}Response>`;
    }
    return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": meta.requestId }, body };
  }

  serializeError(error: ServiceError, model: ServiceModel, _operation: string | undefined, meta: ResponseMeta): HttpResponse {
    const fields = error.fields ? this.writeLoose(error.fields) : "";
    const message = error.message ? `<Message>${escapeXml(error.message)}</Message>` : "";
    const body = this.variant.ec2
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>${message}${fields}</Error></Errors><RequestID>${meta.requestId}</RequestID></Response>`
      : `<ErrorResponse xmlns="${xmlns(model)}"><Error><Type>${error.senderFault ? "Sender" : "Receiver"}</Type><Code>${escapeXml(error.code)}</Code>${message}${fields}</Error><RequestId>${meta.requestId}</RequestId></ErrorResponse>`;
    return { status: error.status, headers: { "content-type": "text/xml", "x-amzn-requestid": meta.requestId, ...error.headers }, body };
  }

  private writeLoose(fields: Record<string, unknown>): string {
    let s = "";
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) s += `<${k}>${escapeXml(String(v))}</${k}>`;
    return s;
  }

  private writeMembers(model: ServiceModel, shape: Shape, value: Record<string, unknown>): string {
    let s = "";
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = value[name];
      if (v === undefined || v === null) continue;
      const tag = this.variant.ec2 ? ref.locationName ?? lowerFirst(name) : ref.locationName ?? name;
      s += this.writeValue(model, ref, tag, v);
    }
    return s;
  }

  private writeValue(model: ServiceModel, ref: MemberRef, tag: string, value: unknown): string {
    const shape = model.shapes[ref.shape];
    switch (shape.type) {
      case "structure":
      case "union":
        return `<${tag}>${this.writeMembers(model, shape, value as Record<string, unknown>)}</${tag}>`;
      case "list": {
        const items = value as unknown[];
        const flattened = shape.flattened || ref.flattened;
        if (flattened) {
          const itemTag = shape.member!.locationName ?? tag;
          return items.map((v) => this.writeValue(model, shape.member!, itemTag, v)).join("");
        }
        const itemTag = shape.member!.locationName ?? (this.variant.ec2 ? "item" : "member");
        return `<${tag}>${items.map((v) => this.writeValue(model, shape.member!, itemTag, v)).join("")}</${tag}>`;
      }
      case "map": {
        const keyTag = shape.key!.locationName ?? "key";
        const valueTag = shape.value!.locationName ?? "value";
        const entries = Object.entries(value as Record<string, unknown>)
          .map(([k, v]) => `${this.writeValue(model, shape.key!, keyTag, k)}${this.writeValue(model, shape.value!, valueTag, v)}`);
        if (shape.flattened || ref.flattened) return entries.map((e) => `<${tag}>${e}</${tag}>`).join("");
        return `<${tag}>${entries.map((e) => `<entry>${e}</entry>`).join("")}</${tag}>`;
      }
      default:
        return `<${tag}>${escapeXml(scalarText(value, shape, ref, "iso8601"))}</${tag}>`;
    }
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function indexed(node: FormNode): FormNode[] {
  return [...(node.children ?? new Map<string, FormNode>()).entries()]
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, n]) => n);
}

export function xmlns(model: ServiceModel): string {
  return model.metadata.xmlNamespace ?? `https://${model.metadata.endpointPrefix}.amazonaws.com/doc/${model.metadata.apiVersion}/`;
}

/** Parses a scalar as the query protocol sends it; malformed values keep their text for the validator. */
function readScalar(shape: Shape, text: string): unknown {
  switch (shape.type) {
    case "integer":
    case "long": {
      if (!/^-?\d+$/.test(text.trim())) throw new ServiceError("ValidationError", `Value '${text}' could not be parsed as an integer.`, 400);
      return Number(text);
    }
    case "float":
    case "double": {
      const n = text === "NaN" ? NaN : text === "Infinity" ? Infinity : text === "-Infinity" ? -Infinity : Number(text);
      if (Number.isNaN(n) && text !== "NaN") throw new ServiceError("ValidationError", `Value '${text}' could not be parsed as a number.`, 400);
      return n;
    }
    case "boolean":
      if (text !== "true" && text !== "false") throw new ServiceError("ValidationError", `Value '${text}' could not be parsed as a boolean.`, 400);
      return text === "true";
    case "timestamp": {
      const d = parseTimestamp(text, shape.timestampFormat);
      if (!d) throw new ServiceError("ValidationError", `Value '${text}' could not be parsed as a timestamp.`, 400);
      return d;
    }
    case "blob":
      return Buffer.from(text, "base64");
    default:
      return text;
  }
}
