// Reading SAML XML (IdP metadata, and the Response assertions STS takes) into plain objects with fast-xml-parser,
// namespace prefixes dropped. Shared by the SAML provider handlers and the peer module (internal.ts).
import type * as Fxp from "fast-xml-parser";
import { lazy } from "../../core/lazy.js";

const fxp = lazy<typeof Fxp>("fast-xml-parser");
let parser: Fxp.XMLParser | undefined;

export type XmlNode = Record<string, unknown>;

/** The document as nested objects (attributes as "@_name", text as "#text"), or undefined when it is not XML. */
export function parseXml(text: string): XmlNode | undefined {
  const { XMLParser, XMLValidator } = fxp();
  if (XMLValidator.validate(text) !== true) return undefined;
  parser ??= new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false, trimValues: true });
  try {
    return parser.parse(text) as XmlNode;
  } catch {
    return undefined;
  }
}

export const children = (node: unknown, name: string): XmlNode[] => {
  if (typeof node !== "object" || node === null) return [];
  const v = (node as XmlNode)[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === "object" && x !== null ? (x as XmlNode) : { "#text": String(x) }));
};
export const child = (node: unknown, name: string): XmlNode | undefined => children(node, name)[0];
export const text = (node: XmlNode | undefined): string | undefined => (node === undefined ? undefined : String(node["#text"] ?? ""));
export const attr = (node: XmlNode | undefined, name: string): string | undefined => {
  const v = node?.[`@_${name}`];
  return v === undefined ? undefined : String(v);
};

/** The IdP's entity id and metadata validUntil, or undefined when the metadata has no EntityDescriptor. */
export function readMetadata(xml: string): { entityId: string; validUntil?: string } | undefined {
  const doc = parseXml(xml);
  const entity = child(doc, "EntityDescriptor") ?? child(child(doc, "EntitiesDescriptor"), "EntityDescriptor");
  const entityId = attr(entity, "entityID");
  if (!entity || !entityId) return undefined;
  return { entityId, validUntil: attr(entity, "validUntil") };
}
