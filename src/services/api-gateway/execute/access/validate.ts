// The method's request validator (requestValidatorId → the deployment's validator):
// - validateRequestParameters: every request parameter the method marks required (method.request.querystring.x,
//   method.request.header.x, method.request.path.x) must be present, else 400 BAD_REQUEST_PARAMETERS
//   {"message": "Missing required request parameters: [x, y]"};
// - validateRequestBody: the body must satisfy the JSON schema (draft 4) of the model requestModels names for the
//   request's content type, else 400 BAD_REQUEST_BODY {"message": "Invalid request body"}.
// Wording: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-test.html
// Schemas compile once per deployment (a model's "$ref" to
// https://apigateway.amazonaws.com/restapis/<apiId>/models/<name> reaches the deployment's other models).
import Ajv04Module from "ajv-draft-04";
import type { ValidateFunction } from "ajv";
import { GatewayError } from "../errors.js";
import type { RestInvocation } from "../types.js";

// A CommonJS module: under Node's ESM loader its class is the default export's own "default".
const Ajv04 = ((Ajv04Module as unknown as { default?: typeof Ajv04Module }).default ?? Ajv04Module) as unknown as new (opts: object) => AjvLike;
interface AjvLike {
  addSchema(schema: object, key: string): unknown;
  getSchema(key: string): ValidateFunction | undefined;
}

const badParameters = (names: string[]) =>
  new GatewayError("BAD_REQUEST_PARAMETERS", 400, `Missing required request parameters: [${names.join(", ")}]`, {}, "BadRequestException");
const badBody = () => new GatewayError("BAD_REQUEST_BODY", 400, "Invalid request body", {}, "BadRequestException");

interface DeploymentSchemas {
  ajv: AjvLike;
  /** Model name → its compiled schema; null when it has none or it does not compile. */
  compiled: Map<string, ValidateFunction | null>;
}
const schemas = new Map<string, DeploymentSchemas>();
const SCHEMAS_MAX = 256;

const modelUrl = (apiId: string, name: string) => `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;

function deploymentSchemas(inv: RestInvocation): DeploymentSchemas {
  const id = `${inv.owner.account}/${inv.apiId}/${inv.deployment.id}`;
  let d = schemas.get(id);
  if (!d) {
    const ajv = new Ajv04({ strict: false, validateFormats: false, allErrors: false });
    for (const m of inv.snapshot.models) {
      if (!m.schema) continue;
      try {
        const schema = JSON.parse(m.schema) as Record<string, unknown>;
        ajv.addSchema({ ...schema, id: modelUrl(inv.apiId, m.name) }, modelUrl(inv.apiId, m.name));
      } catch {
        // A schema that does not parse validates nothing (CreateModel refuses those on AWS).
      }
    }
    d = { ajv, compiled: new Map() };
    if (schemas.size >= SCHEMAS_MAX) schemas.delete(schemas.keys().next().value!);
    schemas.set(id, d);
  }
  return d;
}

function validatorFor(inv: RestInvocation, modelName: string): ValidateFunction | null {
  const d = deploymentSchemas(inv);
  let fn = d.compiled.get(modelName);
  if (fn === undefined) {
    try {
      fn = d.ajv.getSchema(modelUrl(inv.apiId, modelName)) ?? null;
    } catch (e) {
      inv.rt.logger.debug(`execute-api: model ${modelName} of ${inv.apiId} does not compile: ${(e as Error).message}`);
      fn = null;
    }
    d.compiled.set(modelName, fn);
  }
  return fn ?? null;
}

function hasHeader(inv: RestInvocation, lower: string): boolean {
  for (const name in inv.req.headers) if (name.toLowerCase() === lower) return true;
  return false;
}

function missingParameters(inv: RestInvocation): string[] {
  const missing: string[] = [];
  for (const [key, required] of Object.entries(inv.method.requestParameters ?? {})) {
    if (!required) continue;
    const m = /^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.(.+)$/.exec(key);
    if (!m) continue;
    const [, where, name] = m as unknown as [string, string, string];
    const present =
      where === "header" || where === "multivalueheader"
        ? hasHeader(inv, name.toLowerCase())
        : where === "path"
          ? inv.pathParameters[name] !== undefined && inv.pathParameters[name] !== ""
          : inv.req.query[name] !== undefined;
    if (!present) missing.push(name);
  }
  return missing;
}

function contentType(inv: RestInvocation): string {
  for (const name in inv.req.headers) if (name.toLowerCase() === "content-type") return inv.req.headers[name]![0]!.split(";")[0]!.trim().toLowerCase();
  return "application/json";
}

export function validateRequest(inv: RestInvocation): void {
  const id = inv.method.requestValidatorId;
  if (!id) return;
  const v = inv.snapshot.validators.find((x) => x.id === id);
  if (!v) return;
  if (v.validateRequestParameters) {
    const missing = missingParameters(inv);
    if (missing.length) throw badParameters(missing);
  }
  if (v.validateRequestBody && inv.method.requestModels) {
    const models = inv.method.requestModels;
    const type = contentType(inv);
    const modelName = models[type] ?? Object.entries(models).find(([k]) => k.toLowerCase() === type)?.[1] ?? models.$default;
    if (!modelName) return;
    const fn = validatorFor(inv, modelName);
    if (!fn) return;
    let body: unknown;
    try {
      body = JSON.parse(inv.req.body.toString("utf8"));
    } catch {
      throw badBody();
    }
    if (!fn(body)) throw badBody();
  }
}
