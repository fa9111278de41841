// Code bindings: PutCodeBinding (answered CREATE_IN_PROGRESS, as AWS answers; the binding is generated from the schema
// version when asked for, so it is complete at once), DescribeCodeBinding (CREATE_COMPLETE) and GetCodeBindingSource
// (the zip: codegen/ writes Java8, Python36, TypeScript3 and Go1 from the version's content).
import type { HandlerContext } from "../../core/context.js";
import { writeZip } from "../../core/zip.js";
import type { SchemasApi } from "./api.generated.js";
import { goFiles } from "./codegen/go.js";
import { javaFiles } from "./codegen/java.js";
import { bindingModel } from "./codegen/model.js";
import { pythonFiles } from "./codegen/python.js";
import { typescriptFiles } from "./codegen/typescript.js";
import { mustRegistry } from "./registries.js";
import { mustSchema, mustVersion } from "./schema-store.js";
import { badRequest, notFound, tables, type SchemaRec, type VersionRec } from "./state.js";

const GENERATORS: Record<string, typeof pythonFiles> = { Java8: javaFiles, Python36: pythonFiles, TypeScript3: typescriptFiles, Go1: goFiles };

interface Target {
  s: SchemaRec;
  v: VersionRec;
  key: string;
}

function target(ctx: HandlerContext, input: { RegistryName: string; SchemaName: string; SchemaVersion?: string; Language: string }): Target {
  if (!Object.hasOwn(GENERATORS, input.Language))
    throw badRequest(`Invalid language ${input.Language}. Valid values are Java8, Python36, TypeScript3 and Go1.`); // unverified wording
  const s = mustSchema(ctx, mustRegistry(ctx, input.RegistryName).name, input.SchemaName);
  const v = mustVersion(ctx, s, input.SchemaVersion);
  return { s, v, key: `${s.registry}|${s.name}|${v.version}|${input.Language}` };
}

function existing(ctx: HandlerContext, t: Target) {
  const b = tables(ctx).bindings.get(t.key);
  if (!b) throw notFound(`Code binding for schema ${t.s.name} version ${t.v.version} does not exist.`); // unverified wording
  return b;
}

/** The binding's zip: every generated file under the package's folders. */
export function bindingZip(language: string, v: VersionRec, schemaName: string): Buffer {
  return writeZip(GENERATORS[language](bindingModel(v.type, v.content, schemaName)));
}

export const bindings = {
  putCodeBinding(input, ctx) {
    const t = target(ctx, input);
    const table = tables(ctx).bindings;
    const had = table.get(t.key);
    const b = had ?? { created: ctx.now(), modified: ctx.now() };
    if (!had) table.put(t.key, b);
    return {
      CreationDate: new Date(b.created),
      LastModified: new Date(b.modified),
      SchemaVersion: String(t.v.version),
      Status: had ? "CREATE_COMPLETE" : "CREATE_IN_PROGRESS",
    };
  },
  describeCodeBinding(input, ctx) {
    const t = target(ctx, input);
    const b = existing(ctx, t);
    return { CreationDate: new Date(b.created), LastModified: new Date(b.modified), SchemaVersion: String(t.v.version), Status: "CREATE_COMPLETE" };
  },
  getCodeBindingSource(input, ctx) {
    const t = target(ctx, input);
    existing(ctx, t);
    return { Body: bindingZip(input.Language, t.v, t.s.name) };
  },
} satisfies Partial<SchemasApi>;
