// Gateway responses as AWS resolves them, shared by the control plane (GetGatewayResponse(s)) and the execute-api
// pipeline (what a refused request answers): each type's default status
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html), the default
// template, and the inheritance AWS applies: a type nobody set takes DEFAULT_4XX's or DEFAULT_5XX's settings (status,
// parameters, templates) when that one was set — GetGatewayResponses then still says defaultResponse: true (recorded
// against AWS in LocalStack's test_apigateway_api snapshots, test_gateway_response_put).
import type { GatewayResponse, GatewayResponseType } from "./api.generated.js";
import type { GatewayResponseRec } from "./state.js";

/** Each type's default status; DEFAULT_4XX and DEFAULT_5XX have none (the refusal's own status applies). */
export const GATEWAY_RESPONSE_STATUS: Readonly<Record<GatewayResponseType, string | undefined>> = {
  ACCESS_DENIED: "403",
  API_CONFIGURATION_ERROR: "500",
  AUTHORIZER_CONFIGURATION_ERROR: "500",
  AUTHORIZER_FAILURE: "500",
  BAD_REQUEST_BODY: "400",
  BAD_REQUEST_PARAMETERS: "400",
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  EXPIRED_TOKEN: "403",
  INTEGRATION_FAILURE: "504",
  INTEGRATION_TIMEOUT: "504",
  INVALID_API_KEY: "403",
  INVALID_SIGNATURE: "403",
  MISSING_AUTHENTICATION_TOKEN: "403",
  QUOTA_EXCEEDED: "429",
  REQUEST_TOO_LARGE: "413",
  RESOURCE_NOT_FOUND: "404",
  THROTTLED: "429",
  UNAUTHORIZED: "401",
  UNSUPPORTED_MEDIA_TYPE: "415",
  WAF_FILTERED: "403",
};

/** Every type, in the order GetGatewayResponses lists them (alphabetical). */
export const GATEWAY_RESPONSE_TYPES = Object.keys(GATEWAY_RESPONSE_STATUS).sort() as GatewayResponseType[];

/** The body every default gateway response renders. */
export const DEFAULT_GATEWAY_TEMPLATE = '{"message":$context.error.messageString}';
export const defaultTemplates = (): Record<string, string> => ({ "application/json": DEFAULT_GATEWAY_TEMPLATE });

/** The family default a type falls back to: DEFAULT_5XX for 5xx types, DEFAULT_4XX for the others. */
export function familyOf(type: GatewayResponseType): "DEFAULT_4XX" | "DEFAULT_5XX" | undefined {
  if (type === "DEFAULT_4XX" || type === "DEFAULT_5XX") return undefined;
  return (GATEWAY_RESPONSE_STATUS[type] ?? "").startsWith("5") ? "DEFAULT_5XX" : "DEFAULT_4XX";
}

/** A response the user set (PutGatewayResponse), as AWS answers it: its own default status and template filled in. */
export function setResponseOut(rec: GatewayResponseRec): GatewayResponse {
  const statusCode = rec.statusCode ?? GATEWAY_RESPONSE_STATUS[rec.responseType];
  return {
    defaultResponse: false,
    responseParameters: rec.responseParameters ?? {},
    responseTemplates: rec.responseTemplates && Object.keys(rec.responseTemplates).length ? rec.responseTemplates : defaultTemplates(),
    responseType: rec.responseType,
    ...(statusCode !== undefined ? { statusCode } : {}),
  };
}

/**
 * The gateway response in force for `type`, given the API's (or deployment's) set responses: the one set for the
 * type; else its family default's settings if that was set (still defaultResponse: true); else AWS's default.
 */
export function resolveGatewayResponse(type: GatewayResponseType, set: (t: GatewayResponseType) => GatewayResponseRec | undefined): GatewayResponse {
  const own = set(type);
  if (own) return setResponseOut(own);
  const familyType = familyOf(type);
  const family = familyType ? set(familyType) : undefined;
  if (family) {
    const f = setResponseOut(family);
    return {
      ...f,
      defaultResponse: true,
      responseType: type,
      ...(f.statusCode === undefined && GATEWAY_RESPONSE_STATUS[type] ? { statusCode: GATEWAY_RESPONSE_STATUS[type] } : {}),
    };
  }
  const statusCode = GATEWAY_RESPONSE_STATUS[type];
  return {
    defaultResponse: true,
    responseParameters: {},
    responseTemplates: defaultTemplates(),
    responseType: type,
    ...(statusCode !== undefined ? { statusCode } : {}),
  };
}
