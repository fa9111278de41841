// ImportRestApi and PutRestApi (an OpenAPI 2.0/3.0 definition, JSON or YAML, with the x-amazon-apigateway-*
// extensions: openapi/read.ts reads it, definition.ts turns it into API Gateway's records, apply.ts writes them,
// with x-amazon-apigateway-documentation's parts unless parameters say ignore=documentation);
// GetExport (a stage's deployed snapshot as OpenAPI, openapi/export.ts). Stratus does not generate client SDKs:
// GetSdk, GetSdkType and GetSdkTypes refuse with NotImplemented.
import yaml from "js-yaml";
import { ServiceError } from "../../core/errors.js";
import { type ApiGatewayApi, BadRequestException } from "./api.generated.js";
import { deploymentNotFound, requireApi, stageNotFound } from "./common.js";
import { applyDefinition, newApi, type PutMode } from "./openapi/apply.js";
import { type Definition, define } from "./openapi/definition.js";
import { exportDefinition } from "./openapi/export.js";
import { INVALID_INPUT, readDefinition } from "./openapi/read.js";
import { documentationOf, type ImportedPart } from "./documentation.js";
import { restApiOut } from "./restapis.js";
import { tables } from "./state.js";

/**
 * The definition's checks before anything is written: errors always refuse it ("Errors found during import:", each
 * on its own tabbed line, as AWS answers), warnings only with failOnWarnings (wording as recorded in moto's tests of
 * AWS's answer). Documentation parts come along unless `ignore=documentation`.
 */
function prepare(body: Uint8Array, parameters: Record<string, string>, failOnWarnings: boolean | undefined): { def: Definition; docs?: ImportedPart[] } {
  const def = define(readDefinition(body), parameters);
  if (def.errors.length) throw new BadRequestException(`Errors found during import:\n\t${def.errors.join("\n\t")}`);
  let docs: ImportedPart[] | undefined;
  if (parameters.ignore !== "documentation" && def.documentationParts.length) {
    const d = documentationOf(def.documentationParts);
    docs = d.parts;
    def.warnings.push(...d.warnings);
  }
  if (failOnWarnings && def.warnings.length) throw new BadRequestException(`Warnings found during import:\n\t${def.warnings.join("\n\t")}`);
  return { def, docs };
}

const ENDPOINT_TYPES = new Set(["EDGE", "REGIONAL", "PRIVATE"]);
function checkParameters(parameters: Record<string, string> | undefined): Record<string, string> {
  const p = parameters ?? {};
  const types = p.endpointConfigurationTypes;
  if (types !== undefined && !types.split(",").every((t) => ENDPOINT_TYPES.has(t.trim().toUpperCase())))
    throw new BadRequestException(`Invalid endpoint configuration type: ${types}`); // unverified wording
  if (p.basepath !== undefined && !["ignore", "prepend", "split"].includes(p.basepath))
    throw new BadRequestException(`Invalid basepath parameter value: ${p.basepath}`); // unverified wording
  return p;
}

const sdkRefusal = (op: string) =>
  new ServiceError(
    "NotImplemented",
    `${op}: Stratus does not generate client SDKs; export the API with GetExport and generate one from the OpenAPI definition.`,
    501,
    {
      senderFault: false,
    },
  );

export const imports = {
  importRestApi(input, ctx) {
    const { def, docs } = prepare(input.body, checkParameters(input.parameters), input.failOnWarnings);
    if (!def.name) throw new BadRequestException(INVALID_INPUT);
    return restApiOut(applyDefinition(ctx, newApi(ctx, def.name), def, "overwrite", docs));
  },

  putRestApi(input, ctx) {
    const api = requireApi(ctx, input.restApiId);
    const mode: PutMode = input.mode ?? "merge";
    if (mode !== "merge" && mode !== "overwrite") throw new BadRequestException('Enumeration value of OpenAPI import mode must be "overwrite" or "merge"'); // as in moto's tests
    const { def, docs } = prepare(input.body, checkParameters(input.parameters), input.failOnWarnings);
    return restApiOut(applyDefinition(ctx, api, def, mode, docs));
  },

  getExport(input, ctx) {
    const t = tables(ctx);
    const api = requireApi(ctx, input.restApiId);
    const stage = t.stages.get(`${api.id}/${input.stageName}`);
    if (!stage) throw stageNotFound();
    const deployment = t.deployments.get(`${api.id}/${stage.deploymentId}`);
    if (!deployment) throw deploymentNotFound();
    const exportType = input.exportType.toLowerCase();
    if (exportType !== "oas30" && exportType !== "swagger") throw new BadRequestException(`No OpenAPI exporter found for type ${input.exportType}`); // unverified wording
    const accepts = (input.accepts ?? "application/json").split(";")[0].trim().toLowerCase();
    const asYaml = accepts === "application/yaml";
    if (!asYaml && accepts !== "application/json") throw new BadRequestException(`Unsupported content type: ${input.accepts}`); // unverified wording
    const extensions = new Set(
      (input.parameters?.extensions ?? "")
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean),
    );
    for (const e of extensions)
      if (!["integrations", "authorizers", "apigateway", "postman", "documentation"].includes(e))
        throw new BadRequestException(`Invalid extensions parameter value: ${e}`); // unverified wording
    const doc = exportDefinition(deployment.snapshot, {
      version: exportType === "oas30" ? 3 : 2,
      stageName: stage.stageName,
      region: ctx.region,
      deployedAt: deployment.createdDate,
      integrations: extensions.has("integrations"),
      authorizers: extensions.has("authorizers"),
      apigateway: extensions.has("apigateway"),
    });
    // extensions=documentation: the documentation version the stage publishes (AWS's "export a stage-specific
    // documentation snapshot"), in the form ImportDocumentationParts and ImportRestApi read back.
    const docVersion = extensions.has("documentation") && stage.documentationVersion ? t.docVersions.get(`${api.id}/${stage.documentationVersion}`) : undefined;
    if (docVersion)
      doc["x-amazon-apigateway-documentation"] = {
        version: docVersion.version,
        documentationParts: docVersion.parts.map((p) => ({ location: p.location, properties: JSON.parse(p.properties) })),
      };
    const text = asYaml ? yaml.dump(doc, { noRefs: true, lineWidth: -1 }) : JSON.stringify(doc, null, 2);
    // What AWS answers (recorded in Classmethod's tsnote on exporting Swagger): an octet stream named after the type
    // and the definition's info.version, `attachment; filename="swagger_2022-01-01T01:01:01Z.yaml"`.
    const version = String((doc.info as { version?: string }).version ?? "").replace(/["\\/]/g, "_");
    return {
      contentType: "application/octet-stream",
      contentDisposition: `attachment; filename="${exportType}_${version}.${asYaml ? "yaml" : "json"}"`,
      body: new TextEncoder().encode(text),
    };
  },

  getSdk() {
    throw sdkRefusal("GetSdk");
  },
  getSdkType() {
    throw sdkRefusal("GetSdkType");
  },
  getSdkTypes() {
    throw sdkRefusal("GetSdkTypes");
  },
} satisfies Partial<ApiGatewayApi>;
