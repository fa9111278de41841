// The AWS query protocol (form-encoded input, XML output) and, by options, its EC2 variant.
import { CommonErrors, ServiceError } from "../core/errors.js";
import type { MemberRef, ServiceModel, Shape } from "../core/model.js";
import type { HttpRequest, HttpResponse, ProtocolCodec, ResponseMeta } from "./types.js";
import { escapeXml, parseTimestamp, requestBody, scalarText } from "./shared.js";

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
      const fromBody = req.body.length > 0 && (ct === "" || ct.toLowerCase().startsWith("application/x-www-form-urlencoded"));
      if (req.body.length > 0 && !fromBody)
        throw new ServiceError("UnsupportedMediaType", `Content-Type ${ct} is not supported; expected application/x-www-form-urlencoded.`, 415);
      const form = parseForm(req.query);
      if (fromBody) for (const [k, v] of parseForm(requestBody(req).toString("utf8"))) form.set(k, v);
      cache.form = form;
    }
    return cache.form as Map<string, string>;
  }

  resolveOperation(req: HttpRequest, model: ServiceModel): string {
    const action = this.form(req).get("Action");
    if (!action) throw CommonErrors.missingAction();
    if (!model.operations[action]) {
      if (this.variant.ec2) throw CommonErrors.unknownOperation("query", action);
      // Coral's wording for query services (IAM, STS, SES…); EC2 has its own.
      const version = this.form(req).get("Version") ?? model.metadata.apiVersion;
      throw new ServiceError("InvalidAction", `Could not find operation ${action} for version ${version}`, 400);
    }
    return action;
  }

  parseInput(req: HttpRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    const op = model.operations[operation];
    if (!op.input) return {};
    const tree = formTree(this.form(req));
    return (this.readStructure(model, model.shapes[op.input.shape], tree) ?? {}) as Record<string, unknown>;
  }

  /** The form keys a member may arrive under, most specific first (botocore's and Smithy's rules differ for ec2). */
  private memberKeys(model: ServiceModel, name: string, ref: MemberRef): string[] {
    const keys: string[] = [];
    if (this.variant.ec2) {
      if (ref.queryName) keys.push(ref.queryName);
      if (ref.locationName) keys.push(upperFirst(ref.locationName));
      keys.push(name, upperFirst(name));
    } else {
      keys.push(ref.locationName ?? name);
      // A flattened list whose member has a name is sent under that name (`Hi.1=A`).
      const shape = model.shapes[ref.shape];
      if (shape?.type === "list" && (shape.flattened || ref.flattened) && shape.member?.locationName) keys.push(shape.member.locationName);
    }
    return keys;
  }

  private readStructure(model: ServiceModel, shape: Shape, node: FormNode | undefined): Record<string, unknown> | undefined {
    if (!node?.children) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      let child: FormNode | undefined;
      for (const key of this.memberKeys(model, name, ref)) if ((child = node.children.get(key))) break;
      const v = this.readValue(model, ref, child);
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
        // Lenient as AWS is: a non-flattened list sent flattened (`Names.1=a`) is still read.
        const container = flattened ? node : (node.children?.get(shape.member!.locationName ?? "member") ?? node);
        const items = container.children ? indexed(container) : [];
        if (items.length === 0) return node.value !== undefined ? [] : undefined;
        return items.map((n) => this.readValue(model, shape.member!, n));
      }
      case "map": {
        const flattened = shape.flattened || ref.flattened;
        const container = flattened ? node : (node.children?.get("entry") ?? node);
        const entries = container.children ? indexed(container) : [];
        if (entries.length === 0) return node.value !== undefined ? {} : undefined;
        const out: Record<string, unknown> = {};
        const keyName = shape.key!.locationName ?? "key";
        const valueName = shape.value!.locationName ?? "value";
        for (const entry of entries) {
          const k = entry.children?.get(keyName)?.value;
          if (k === undefined) continue;
          const v = this.readValue(model, shape.value!, entry.children?.get(valueName));
          if (v !== undefined) out[k] = v;
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
    const inner = op.output ? this.writeMembers(model, model.shapes[op.output.shape], output ?? {}).inner : "";
    let body: string;
    if (this.variant.ec2) {
      body = `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${ns}">${inner}<requestId>${meta.requestId}</requestId></${operation}Response>`;
    } else {
      // A JSON model served over query (awsQueryCompatible: SQS, CloudWatch) has no resultWrapper; AWS writes <OpResult>.
      const wrapper = op.output ? (op.output.resultWrapper ?? `${operation}Result`) : undefined;
      const result = wrapper ? `<${wrapper}>${inner}</${wrapper}>` : "";
      body = `<${operation}Response xmlns="${ns}">${result}<ResponseMetadata><RequestId>${meta.requestId}</RequestId></ResponseMetadata></${operation}Response>`;
    }
    return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": meta.requestId }, body };
  }

  serializeError(error: ServiceError, model: ServiceModel, _operation: string | undefined, meta: ResponseMeta): HttpResponse {
    const fields = error.fields ? this.writeFields(model, error) : "";
    const message = error.message ? `<Message>${escapeXml(error.message)}</Message>` : "";
    const body = this.variant.ec2
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>${message}${fields}</Error></Errors><RequestID>${meta.requestId}</RequestID></Response>`
      : `<ErrorResponse xmlns="${xmlns(model)}"><Error><Type>${error.senderFault ? "Sender" : "Receiver"}</Type><Code>${escapeXml(error.code)}</Code>${message}${fields}</Error><RequestId>${meta.requestId}</RequestId></ErrorResponse>`;
    return { status: error.status, headers: { "content-type": "text/xml", "x-amzn-requestid": meta.requestId, ...error.headers }, body };
  }

  /** Modeled error members beside Code and Message, written by the error shape when the model has it. */
  private writeFields(model: ServiceModel, error: ServiceError): string {
    const shape = model.shapes[error.shapeName];
    let s = "";
    for (const [k, v] of Object.entries(error.fields ?? {})) {
      if (v === undefined || v === null || k === "message" || k === "Message") continue;
      const ref = shape?.members?.[k];
      s += ref ? this.writeValue(model, ref, ref.locationName ?? k, v) : `<${k}>${escapeXml(typeof v === "object" ? JSON.stringify(v) : String(v))}</${k}>`;
    }
    return s;
  }

  private writeMembers(model: ServiceModel, shape: Shape, value: Record<string, unknown>): { inner: string; attrs: string } {
    let inner = "";
    let attrs = "";
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = value[name];
      if (v === undefined || v === null) continue;
      const tag = ref.locationName ?? name;
      if (ref.xmlAttribute) attrs += ` ${tag}="${escapeXml(scalarText(v, model.shapes[ref.shape], ref, "iso8601"))}"`;
      else inner += this.writeValue(model, ref, tag, v);
    }
    return { inner, attrs };
  }

  private writeValue(model: ServiceModel, ref: MemberRef, tag: string, value: unknown): string {
    const shape = model.shapes[ref.shape];
    const ns = nsAttr(ref.xmlNamespace ?? shape.xmlNamespace);
    switch (shape.type) {
      case "structure":
      case "union": {
        const { inner, attrs } = this.writeMembers(model, shape, value as Record<string, unknown>);
        return `<${tag}${ns}${attrs}>${inner}</${tag}>`;
      }
      case "list": {
        const items = value as unknown[];
        if (shape.flattened || ref.flattened) {
          // The member's own name wins (Smithy); else the list member's (botocore's reading of older models).
          const itemTag = ref.locationName ?? shape.member!.locationName ?? tag;
          return items.map((v) => this.writeValue(model, shape.member!, itemTag, v)).join("");
        }
        // Real EC2 models name their list members "item"; the protocol default is "member".
        const itemTag = shape.member!.locationName ?? "member";
        return `<${tag}${ns}>${items.map((v) => this.writeValue(model, shape.member!, itemTag, v)).join("")}</${tag}>`;
      }
      case "map": {
        const keyTag = shape.key!.locationName ?? "key";
        const valueTag = shape.value!.locationName ?? "value";
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined && v !== null)
          .map(([k, v]) => `${this.writeValue(model, shape.key!, keyTag, k)}${this.writeValue(model, shape.value!, valueTag, v)}`);
        if (shape.flattened || ref.flattened) return entries.map((e) => `<${tag}${ns}>${e}</${tag}>`).join("");
        return `<${tag}${ns}>${entries.map((e) => `<entry>${e}</entry>`).join("")}</${tag}>`;
      }
      default:
        return `<${tag}${ns}>${escapeXml(scalarText(value, shape, ref, "iso8601"))}</${tag}>`;
    }
  }
}

function nsAttr(ns: { prefix?: string; uri: string } | undefined): string {
  return ns ? ` xmlns${ns.prefix ? `:${ns.prefix}` : ""}="${escapeXml(ns.uri)}"` : "";
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
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
