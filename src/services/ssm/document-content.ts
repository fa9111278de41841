// SSM document content: parsing JSON or YAML, the schema versions each document type takes, the parameters and
// platforms a document declares, and converting content between JSON and YAML (GetDocument's DocumentFormat).
import { createHash } from "node:crypto";
import { CORE_SCHEMA, dump, load } from "js-yaml";

// YAML 1.2 core (no timestamps: a date-like string stays a string), as CloudFormation templates are read.
const parseYaml = (content: string): unknown => load(content, { schema: CORE_SCHEMA });
const stringifyYaml = (doc: unknown): string => dump(doc, { schema: CORE_SCHEMA, quotingType: '"', lineWidth: -1, noRefs: true });
import { InvalidDocumentContent, InvalidDocumentSchemaVersion, MaxDocumentSizeExceeded, ValidationException } from "./api.generated.js";
import type { DocumentFormat, DocumentParameter, DocumentType, PlatformType } from "./api.generated.js";

/** What a version's content says about itself, kept beside the content so listings never re-parse it. */
export interface ContentFacts {
  schemaVersion: string;
  description?: string;
  parameters: DocumentParameter[];
  platformTypes: PlatformType[];
  /** The declared parameters, as written (type, default, allowedValues, allowedPattern, minItems…) for SendCommand's checks. */
  declared: Record<string, DeclaredParameter>;
}

export interface DeclaredParameter {
  type?: string;
  default?: unknown;
  allowedValues?: string[];
  allowedPattern?: string;
  minItems?: number;
  maxItems?: number;
  maxChars?: number;
}

// AWS's quota on a document's content: 64 KB (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html,
// "The content of the document must not exceed 64KB").
export const MAX_CONTENT_BYTES = 64 * 1024;

// The schema versions each document type accepts, from the user guide's "Schema features and examples"
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/document-schemas-features.html): Command 1.2, 2.0, 2.2;
// Policy 2.0; Automation 0.3; Session 1.0; Package 2.0. Types not listed there are not checked.
const SCHEMA_VERSIONS: Partial<Record<DocumentType, string[]>> = {
  Command: ["1.2", "2.0", "2.2"],
  Policy: ["2.0"],
  Automation: ["0.3"],
  Session: ["1.0"],
  Package: ["2.0"],
};

export const sha256 = (content: string) => createHash("sha256").update(content, "utf8").digest("hex");

// AWS's wording for content it cannot read is not recorded in a public test suite; moto answers
// "The content for the document is not valid." (getmoto/moto moto/ssm/models.py, Document.__init__). Unverified.
const invalidContent = () => new InvalidDocumentContent("The content for the document is not valid.");

/** Parses JSON or YAML content into its object, failing as AWS does for content that is not a document. */
export function parseContent(content: string, format: DocumentFormat): Record<string, unknown> {
  if (Buffer.byteLength(content, "utf8") > MAX_CONTENT_BYTES) {
    // Unverified wording: AWS's message for an oversized document is not recorded in a public test suite.
    throw new MaxDocumentSizeExceeded("The content of the document exceeds the maximum size of 64 KB.");
  }
  let doc: unknown;
  try {
    doc = format === "YAML" ? parseYaml(content) : JSON.parse(content);
  } catch {
    throw invalidContent();
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalidContent();
  return doc as Record<string, unknown>;
}

/** The facts of a parsed document of `type`: its schema version (required, and one the type accepts), parameters, platforms. */
export function contentFacts(doc: Record<string, unknown>, type: DocumentType): ContentFacts {
  const raw = doc.schemaVersion;
  if (raw === undefined || raw === null || (typeof raw !== "string" && typeof raw !== "number")) throw invalidContent();
  const schemaVersion = String(raw);
  const allowed = SCHEMA_VERSIONS[type];
  if (allowed && !allowed.includes(schemaVersion)) {
    // Unverified wording (no AWS-recorded response found).
    throw new InvalidDocumentSchemaVersion(`Document schema version, ${schemaVersion}, is not supported by the document type ${type}.`);
  }
  const declared = declaredParameters(doc.parameters);
  const parameters: DocumentParameter[] = Object.entries(declared).map(([Name, p]) => ({
    Name,
    ...(p.type !== undefined ? { Type: p.type as DocumentParameter["Type"] } : {}),
    ...(typeof (doc.parameters as Record<string, { description?: unknown }>)[Name]?.description === "string"
      ? { Description: (doc.parameters as Record<string, { description: string }>)[Name].description }
      : {}),
    ...(p.default !== undefined ? { DefaultValue: typeof p.default === "string" ? p.default : JSON.stringify(p.default) } : {}),
  }));
  return {
    schemaVersion,
    ...(typeof doc.description === "string" ? { description: doc.description } : {}),
    parameters,
    platformTypes: platformsOf(doc, type),
    declared,
  };
}

function declaredParameters(raw: unknown): Record<string, DeclaredParameter> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidContent();
  const out: Record<string, DeclaredParameter> = {};
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw invalidContent();
    const s = spec as Record<string, unknown>;
    out[name] = {
      ...(typeof s.type === "string" ? { type: s.type } : {}),
      ...(s.default !== undefined ? { default: s.default } : {}),
      ...(Array.isArray(s.allowedValues) ? { allowedValues: s.allowedValues.map(String) } : {}),
      ...(typeof s.allowedPattern === "string" ? { allowedPattern: s.allowedPattern } : {}),
      ...(typeof s.minItems === "number" ? { minItems: s.minItems } : {}),
      ...(typeof s.maxItems === "number" ? { maxItems: s.maxItems } : {}),
      ...(typeof s.maxChars === "number" ? { maxChars: s.maxChars } : {}),
    };
  }
  return out;
}

/**
 * The platforms a document runs on. A Command document's plugins say it: aws:runShellScript is Linux and macOS,
 * aws:runPowerShellScript Windows (the AWS-RunShellScript / AWS-RunPowerShellScript documents report exactly these);
 * any other plugin, or any other document type, is taken to run everywhere. The mapping of the other plugins is unverified.
 */
function platformsOf(doc: Record<string, unknown>, type: DocumentType): PlatformType[] {
  const all: PlatformType[] = ["Windows", "Linux", "MacOS"];
  if (type !== "Command") return all;
  const actions: string[] = [];
  if (Array.isArray(doc.mainSteps)) for (const s of doc.mainSteps) if (typeof s?.action === "string") actions.push(s.action);
  if (doc.runtimeConfig && typeof doc.runtimeConfig === "object") actions.push(...Object.keys(doc.runtimeConfig));
  if (!actions.length) return all;
  const found = new Set<PlatformType>();
  for (const a of actions) {
    if (a === "aws:runShellScript") found.add("Linux").add("MacOS");
    else if (a === "aws:runPowerShellScript") found.add("Windows");
    else for (const p of all) found.add(p);
  }
  return all.filter((p) => found.has(p));
}

/** The content in `to` format: as stored when it already is, else converted from the parsed document. */
export function convertContent(content: string, from: DocumentFormat, to: DocumentFormat): string {
  if (from === to) return content;
  if (from === "TEXT" || to === "TEXT") {
    throw new ValidationException(`Document format ${to} is not supported for documents in ${from} format.`);
  }
  const doc = from === "YAML" ? parseYaml(content) : JSON.parse(content);
  return to === "YAML" ? stringifyYaml(doc) : JSON.stringify(doc, null, 2);
}
