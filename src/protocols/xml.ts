// XML reading and writing for the REST-XML protocol: a small element tree over fast-xml-parser, and a builder.
import type * as Fxp from "fast-xml-parser";
import { lazy } from "../core/lazy.js";
import { escapeXml } from "./shared.js";

export interface XmlNode {
  /** The tag as written, prefix included ("xsi:type" stays whole); `local` drops the prefix. */
  name: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** The element's own text, untrimmed: AWS keeps leading and trailing whitespace in values. */
  text: string;
}

const fxp = lazy<typeof Fxp>("fast-xml-parser");
let parserInstance: Fxp.XMLParser | undefined;
const parser = () =>
  (parserInstance ??= new (fxp().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Decodes numeric character references (&#xD;) as well as the five XML entities.
    htmlEntities: true,
  }));

const localName = (n: string) => n.slice(n.indexOf(":") + 1);

/** The document's root element, or undefined when the XML is not well-formed. */
export function parseXml(text: string): XmlNode | undefined {
  if (fxp().XMLValidator.validate(text) !== true) return undefined;
  let raw: unknown[];
  try {
    raw = parser().parse(text) as unknown[];
  } catch {
    return undefined;
  }
  const nodes = toNodes(raw);
  return nodes.length === 1 ? nodes[0] : undefined;
}

function toNodes(raw: unknown[]): XmlNode[] {
  const out: XmlNode[] = [];
  for (const item of raw) {
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (key === ":@" || key === "#text" || key.startsWith("?")) continue;
      const kids = (entry[key] as unknown[]) ?? [];
      let text = "";
      for (const k of kids) {
        const t = (k as Record<string, unknown>)["#text"];
        if (t !== undefined) text += String(t);
      }
      const attrs: Record<string, string> = {};
      for (const [a, v] of Object.entries((entry[":@"] as Record<string, unknown>) ?? {})) attrs[a] = String(v);
      out.push({ name: key, local: localName(key), attrs, children: toNodes(kids), text });
    }
  }
  return out;
}

/** The first child whose local name matches. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  const local = localName(name);
  return node.children.find((c) => c.name === name || c.local === local);
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  const local = localName(name);
  return node.children.filter((c) => c.name === name || c.local === local);
}

/** An attribute by its full name ("xsi:type") or, failing that, its local name. */
export function attr(node: XmlNode, name: string): string | undefined {
  if (node.attrs[name] !== undefined) return node.attrs[name];
  const local = localName(name);
  for (const [k, v] of Object.entries(node.attrs)) if (localName(k) === local && !k.startsWith("xmlns")) return v;
  return undefined;
}

/** One element being written: attributes first, then children or text. */
export class XmlElement {
  readonly attrs: [string, string][] = [];
  readonly children: (XmlElement | string)[] = [];
  constructor(readonly name: string) {}

  attr(name: string, value: string): this {
    this.attrs.push([name, value]);
    return this;
  }

  add(child: XmlElement | string): this {
    this.children.push(child);
    return this;
  }

  toString(): string {
    const attrs = this.attrs.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join("");
    if (this.children.length === 0) return `<${this.name}${attrs}></${this.name}>`;
    const inner = this.children.map((c) => (typeof c === "string" ? escapeXml(c) : c.toString())).join("");
    return `<${this.name}${attrs}>${inner}</${this.name}>`;
  }
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
