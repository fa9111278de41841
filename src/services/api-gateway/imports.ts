// ImportRestApi and PutRestApi (an OpenAPI 2.0/3.0 definition, JSON or YAML, with the x-amazon-apigateway-*
// extensions: openapi/read.ts reads it, definition.ts turns it into API Gateway's records, apply.ts writes them);
// GetExport (a stage's deployed snapshot as OpenAPI, openapi/export.ts). Stratus does not generate client SDKs:
// GetSdk, GetSdkType and GetSdkTypes refuse with NotImplemented.
import yaml from "js-yaml";
import { ServiceError } from "../../core/errors.js";
import { type ApiGatewayApi, BadRequestException, NotFoundException, type RestApi } from "./api.generated.js";
import { applyDefinition, newApi, type PutMode } from "./openapi/apply.js";
import { type Definition, define } from "./openapi/definition.js";
import { exportDefinition } from "./openapi/export.js";
import { INVALID_INPUT, readDefinition } from "./openapi/read.js";
import { type RestApiRec, tables } from "./state.js";

/** RestApi as the control plane answers it (times as Dates). */
export const restApiOut = (a: RestApiRec): RestApi => ({ ...a, createdDate: new Date(a.createdDate) });

/** failOnWarnings: AWS's refusal lists the warnings (wording as recorded in moto's tests of AWS's answer). */
function checkWarnings(def: Definition, failOnWarnings: boolean | undefined): void {
  if (failOnWarnings && def.warnings.length) throw new BadRequestException(`Warnings found during import:\n\t${def.warnings.join("\n\t")}`);
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
    const parameters = checkParameters(input.parameters);
    const def = define(readDefinition(input.body), parameters);
    if (!def.name) throw new BadRequestException(INVALID_INPUT);
    checkWarnings(def, input.failOnWarnings);
    const api = newApi(ctx, def.name);
    if (!def.endpointConfiguration?.types) def.endpointConfiguration = { types: ["EDGE"], ...(def.endpointConfiguration ?? {}) };
    return restApiOut(applyDefinition(ctx, api, def, "overwrite"));
  },

  putRestApi(input, ctx) {
    const api = tables(ctx).apis.get(input.restApiId);
    if (!api) throw new NotFoundException("Invalid REST API identifier specified");
    const mode: PutMode = input.mode ?? "merge";
    if (mode !== "merge" && mode !== "overwrite") throw new BadRequestException(`Invalid mode: ${mode}`); // unverified wording
    const def = define(readDefinition(input.body), checkParameters(input.parameters));
    checkWarnings(def, input.failOnWarnings);
    return restApiOut(applyDefinition(ctx, api, def, mode));
  },

  getExport(input, ctx) {
    const t = tables(ctx);
    const api = t.apis.get(input.restApiId);
    if (!api) throw new NotFoundException("Invalid REST API identifier specified");
    const stage = t.stages.get(`${api.id}/${input.stageName}`);
    if (!stage) throw new NotFoundException("Invalid Stage identifier specified");
    const deployment = t.deployments.get(`${api.id}/${stage.deploymentId}`);
    if (!deployment) throw new NotFoundException("Invalid Deployment identifier specified");
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
      if (!["integrations", "authorizers", "apigateway", "postman"].includes(e)) throw new BadRequestException(`Invalid extensions parameter value: ${e}`); // unverified wording
    const doc = exportDefinition(deployment.snapshot, {
      version: exportType === "oas30" ? 3 : 2,
      stageName: stage.stageName,
      region: ctx.region,
      deployedAt: deployment.createdDate,
      integrations: extensions.has("integrations"),
      authorizers: extensions.has("authorizers"),
      apigateway: extensions.has("apigateway"),
    });
    const text = asYaml ? yaml.dump(doc, { noRefs: true, lineWidth: -1 }) : JSON.stringify(doc, null, 2);
    const file = `${api.name}-${stage.stageName}-${exportType}${extensions.size ? `-${[...extensions].join("-")}` : ""}.${asYaml ? "yaml" : "json"}`;
    return {
      contentType: asYaml ? "application/yaml" : "application/json",
      contentDisposition: `attachment; filename="${file.replace(/["\\]/g, "_")}"`, // unverified file name
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
