// Reading an OpenAPI definition as ImportRestApi/PutRestApi take it: JSON or YAML, OpenAPI 2.0 (Swagger) or 3.0.x.
// Anything that is not such a document is AWS's BadRequestException "Invalid OpenAPI input." (the wording AWS
// answers for an unparseable or version-less body, as recorded by Terraform users and LocalStack's tests).
import yaml from "js-yaml";
import { BadRequestException } from "../api.generated.js";

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export const INVALID_INPUT = "Invalid OpenAPI input.";

export interface OpenApiDoc {
  /** 2 for Swagger 2.0, 3 for OpenAPI 3.0.x. */
  version: 2 | 3;
  doc: Json;
}

/** The body as a document, or AWS's refusal. */
export function readDefinition(body: Uint8Array | string | undefined): OpenApiDoc {
  const text = typeof body === "string" ? body : Buffer.from(body ?? new Uint8Array()).toString("utf8");
  if (!text.trim()) throw new BadRequestException(INVALID_INPUT);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = yaml.load(text, { schema: yaml.JSON_SCHEMA });
    } catch {
      throw new BadRequestException(INVALID_INPUT);
    }
  }
  if (!isObj(doc)) throw new BadRequestException(INVALID_INPUT);
  const swagger = doc.swagger;
  const openapi = doc.openapi;
  // Unquoted in YAML, `swagger: 2.0` and `openapi: 3.0` are numbers.
  if (swagger !== undefined) {
    if (swagger !== 2 && String(swagger) !== "2.0") throw new BadRequestException(INVALID_INPUT);
    return { version: 2, doc };
  }
  if (openapi !== undefined) {
    if (openapi !== 3 && !/^3\.0(\.\d+)?$/.test(String(openapi))) throw new BadRequestException(INVALID_INPUT);
    return { version: 3, doc };
  }
  throw new BadRequestException(INVALID_INPUT);
}

/** The `#/definitions/X` / `#/components/schemas/X` model name a $ref names, if it is one. */
export function refName(ref: unknown): string | undefined {
  if (typeof ref !== "string") return undefined;
  const m = /^#\/(?:definitions|components\/schemas)\/(.+)$/.exec(ref);
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** A $ref to a shared part (`#/parameters/x`, `#/components/responses/y`, …) resolved in the document. */
export function deref(doc: Json, v: unknown): unknown {
  let cur = v;
  for (let hops = 0; hops < 10 && isObj(cur) && typeof cur.$ref === "string" && cur.$ref.startsWith("#/") && !refName(cur.$ref); hops++) {
    let node: unknown = doc;
    for (const token of cur.$ref.slice(2).split("/")) {
      const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
      node = isObj(node) ? node[key] : undefined;
    }
    cur = node;
  }
  return cur;
}
