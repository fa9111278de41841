// The rest of what AWS::Serverless::Api and its Api events put in the swagger body, as the SAM translator does it
// (eventsources/push.py Api._add_swagger_integration; model/api/api_generator.py _add_gateway_responses,
// _add_binary_media_types, _add_models; swagger/swagger.py; model/apigateway.py ApiGatewayResponse): an event's
// TimeoutInMillis, RequestModel (with its request validator) and RequestParameters; the API's GatewayResponses,
// BinaryMediaTypes and Models.
import { invalidEvent, invalidResource, isIntrinsic, isObj, type Obj } from "./common.js";
import type { Route } from "./context.js";

const INTEGRATION = "x-amazon-apigateway-integration";
const methodOf = (body: Obj, r: Route): Obj | undefined => {
  const item = isObj(body.paths) ? body.paths[r.path] : undefined;
  const def = isObj(item) ? item[r.method === "any" ? "x-amazon-apigateway-any-method" : r.method] : undefined;
  return isObj(def) ? def : undefined;
};
const isSwagger = (body: Obj) => body.swagger !== undefined;

/** An Api event's TimeoutInMillis, RequestModel and RequestParameters on its method. */
export function addEventExtras(body: Obj, r: Route, api: Obj): void {
  const x = r.extras;
  const def = methodOf(body, r);
  if (!x || !def) return;
  const fail = (m: string) => invalidEvent(r.fn ?? "", r.event ?? "", m);
  const where = `on API method [${r.method}] for path [${r.path}]`;
  if (x.TimeoutInMillis && isObj(def[INTEGRATION])) def[INTEGRATION].timeoutInMillis = x.TimeoutInMillis;
  const model = x.RequestModel;
  if (model !== undefined) {
    if (!isObj(model)) throw fail("Property 'RequestModel' should be a map.");
    const name = model.Model;
    if (name) {
      const models = api.Models;
      if (!models) throw fail(`Unable to set RequestModel [${String(name)}] ${where} because the related API does not define any Models.`);
      if (!isIntrinsic(models) && !isObj(models)) {
        throw fail(`Unable to set RequestModel [${String(name)}] ${where} because the related API Models defined is of invalid type.`);
      }
      if (typeof name !== "string") throw fail(`Unable to set RequestModel [${String(name)}] ${where} because the related API does not contain valid Models.`);
      if (!(models as Obj)[name]) throw fail(`Unable to set RequestModel [${name}] ${where} because it wasn't defined in the API's Models.`);
      const lower = name.toLowerCase();
      if (isSwagger(body)) {
        const param: Obj = { in: "body", name: lower, schema: { $ref: `#/definitions/${lower}` } };
        if (model.Required !== undefined) param.required = model.Required;
        def.parameters = [...(Array.isArray(def.parameters) ? def.parameters : []), param];
      } else {
        def.requestBody = { content: { "application/json": { schema: { $ref: `#/components/schemas/${lower}` } } } };
        if (model.Required !== undefined) (def.requestBody as Obj).required = model.Required;
      }
      if (model.ValidateBody !== undefined || model.ValidateParameters !== undefined) {
        const vb = model.ValidateBody ?? false;
        const vp = model.ValidateParameters ?? false;
        if (typeof vb !== "boolean" || typeof vp !== "boolean") {
          throw fail(
            `Unable to set Validator to RequestModel [${name}] ${where} ValidateBody and ValidateParameters must be a boolean type, strings or intrinsics are not supported.`,
          );
        }
        const validator = vb && vp ? "body-and-params" : vb ? "body-only" : vp ? "params-only" : "no-validation";
        const validators = isObj(body["x-amazon-apigateway-request-validators"]) ? body["x-amazon-apigateway-request-validators"] : {};
        validators[validator] ??= { validateRequestBody: vb, validateRequestParameters: vp };
        body["x-amazon-apigateway-request-validators"] = validators;
        def["x-amazon-apigateway-request-validator"] = validator;
      }
    }
  }
  const params = x.RequestParameters;
  if (params !== undefined) {
    if (!Array.isArray(params)) throw fail("Property 'RequestParameters' should be a list.");
    const keyWording =
      "Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.";
    const list = [...(Array.isArray(def.parameters) ? def.parameters : [])];
    for (const p of params) {
      let name: string;
      let settings: Obj = { Required: false, Caching: false };
      if (isObj(p)) {
        const [[k, v]] = Object.entries(p);
        if (!/^method\.request\.(querystring|path|header)\./.test(k)) throw fail(keyWording);
        if (!isObj(v) || !Object.keys(v).every((s) => s === "Required" || s === "Caching")) {
          throw fail("Invalid value for 'RequestParameters' property. Values must be an object, e.g { Required: true, Caching: false }");
        }
        name = k;
        settings = { ...settings, ...v };
      } else if (typeof p === "string") {
        if (!/^method\.request\.(querystring|path|header)\./.test(p)) throw fail(keyWording);
        name = p;
      } else throw fail("Invalid value for 'RequestParameters' property. Property must be either a string or an object");
      const [loc, ...rest] = name.replace("method.request.", "").split(".");
      list.push({ in: loc === "querystring" ? "query" : loc, name: rest.join("."), required: settings.Required, type: "string" });
      if (settings.Caching && isObj(def[INTEGRATION])) {
        const integ = def[INTEGRATION];
        integ.cacheKeyParameters = [...(Array.isArray(integ.cacheKeyParameters) ? integ.cacheKeyParameters : []), name];
      }
    }
    def.parameters = list;
  }
}

const RESPONSE_KEYS = ["ResponseParameters", "ResponseTemplates", "StatusCode"];

/** The API's GatewayResponses, BinaryMediaTypes and Models in the body (in SAM's order, after Cors and Auth). */
export function addApiExtras(id: string, p: Obj, body: Obj | undefined): void {
  const responses = p.GatewayResponses;
  if (responses) {
    if (!body) throw invalidResource(id, "GatewayResponses works only with inline Swagger specified in 'DefinitionBody' property.");
    if (!isObj(responses)) throw invalidResource(id, "Property 'GatewayResponses' should be a map.");
    const out: Obj = isObj(body["x-amazon-apigateway-gateway-responses"]) ? body["x-amazon-apigateway-gateway-responses"] : {};
    for (const [type, r] of Object.entries(responses)) {
      if (isIntrinsic(r)) {
        throw invalidResource(id, "Unable to set GatewayResponses attribute because intrinsic functions are not supported for this field.");
      }
      if (!isObj(r)) {
        throw invalidResource(
          id,
          `Invalid property type '${Array.isArray(r) ? "list" : typeof r}' for GatewayResponses. Expected an object of type 'GatewayResponse'.`,
        );
      }
      for (const k of Object.keys(r))
        if (!RESPONSE_KEYS.includes(k)) throw invalidResource(id, `Invalid property '${k}' in 'GatewayResponses' property '${type}'.`);
    }
    for (const [type, r] of Object.entries(responses) as [string, Obj][]) {
      const params = r.ResponseParameters ?? {};
      if (!isObj(params)) throw invalidResource(id, `Property 'GatewayResponses.${type}.ResponseParameters' should be a map.`);
      const prefixed: Obj = {};
      for (const k of Object.keys(params))
        if (!["Headers", "Paths", "QueryStrings"].includes(k)) throw invalidResource(id, `Invalid gateway response parameter '${k}'`);
      for (const [k, prefix] of [
        ["Headers", "header."],
        ["Paths", "path."],
        ["QueryStrings", "querystring."],
      ]) {
        const v = params[k] ?? {};
        if (!isObj(v)) throw invalidResource(id, `Property 'ResponseParameters.${k}' should be a map.`);
        for (const [name, value] of Object.entries(v)) prefixed[`gatewayresponse.${prefix}${name}`] = value;
      }
      const status = r.StatusCode === undefined || r.StatusCode === null ? undefined : String(r.StatusCode);
      if (status && !/^[0-9]{1,3}$/.test(status)) throw invalidResource(id, "Property 'StatusCode' must be numeric");
      out[type] = { responseParameters: prefixed, responseTemplates: r.ResponseTemplates ?? {}, ...(status ? { statusCode: status } : {}) };
    }
    body["x-amazon-apigateway-gateway-responses"] = out;
  }
  // Binary media types go in the body too (~1 standing for /), beside the RestApi's property.
  if (Array.isArray(p.BinaryMediaTypes) && p.BinaryMediaTypes.length && body) {
    const slashes = (v: unknown): unknown =>
      typeof v === "string"
        ? v.replace(/~1/g, "/")
        : Array.isArray(v)
          ? v.map(slashes)
          : isObj(v)
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/~1/g, "/"), slashes(x)]))
            : v;
    body["x-amazon-apigateway-binary-media-types"] = slashes(p.BinaryMediaTypes);
  }
  const models = p.Models;
  if (models) {
    if (!body) throw invalidResource(id, "Models works only with inline Swagger specified in 'DefinitionBody' property.");
    if (!isObj(models) || !Object.values(models).every(isObj)) throw invalidResource(id, "Invalid value for 'Models' property");
    const key = isSwagger(body) ? "definitions" : undefined;
    const defs: Obj = key && isObj(body[key]) ? (body[key] as Obj) : {};
    for (const [name, schema] of Object.entries(models) as [string, Obj][]) {
      if (!schema.type) throw invalidResource(id, "'Models' schema is missing 'type'.");
      defs[name.toLowerCase()] = schema;
    }
    if (key) body[key] = defs;
    else {
      const components = isObj(body.components) ? body.components : (body.components = {});
      components.schemas = { ...(isObj(components.schemas) ? components.schemas : {}), ...defs };
    }
  }
}

/**
 * An OpenAPI 3 body as SAM finishes it (ApiGenerator._openapi_postprocess): securityDefinitions and definitions move
 * to components, the OPTIONS methods lose Swagger's consumes/produces and their headers gain a schema. A swagger 2.0
 * body is left as it is.
 */
export function openApiPostprocess(body: Obj, version: unknown): void {
  if (body.swagger !== undefined) return;
  const v = version === undefined && typeof body.openapi === "string" ? body.openapi : version;
  if (typeof v !== "string" || !/^3(\.\d)(\.\d)?$/.test(v)) return;
  for (const [from, to] of [
    ["securityDefinitions", "securitySchemes"],
    ["definitions", "schemas"],
  ]) {
    if (!body[from]) continue;
    const components = isObj(body.components) ? body.components : (body.components = {});
    components[to] = body[from];
    delete body[from];
  }
  for (const item of Object.values(isObj(body.paths) ? body.paths : {})) {
    const options = isObj(item) ? item.options : undefined;
    if (!isObj(options)) continue;
    delete options.produces;
    delete options.consumes;
    const headers = isObj(options.responses) && isObj(options.responses["200"]) ? options.responses["200"].headers : undefined;
    if (isObj(headers)) for (const [k, h] of Object.entries(headers)) headers[k] = { schema: h };
  }
}
