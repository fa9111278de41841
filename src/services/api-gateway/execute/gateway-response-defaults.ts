// The gateway responses every REST API has before PutGatewayResponse changes one: each type's default status
// (null for the DEFAULT_4XX / DEFAULT_5XX fallbacks) and the template all of them share. Source: "Gateway response
// types for API Gateway", https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
import type { GatewayResponseType } from "../api.generated.js";

export const DEFAULT_GATEWAY_STATUS: Record<GatewayResponseType, string | undefined> = {
  ACCESS_DENIED: "403",
  API_CONFIGURATION_ERROR: "500",
  AUTHORIZER_CONFIGURATION_ERROR: "500",
  AUTHORIZER_FAILURE: "500",
  BAD_REQUEST_PARAMETERS: "400",
  BAD_REQUEST_BODY: "400",
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

/** The template every default gateway response carries (GetGatewayResponse answers it as the response's own). */
export const DEFAULT_GATEWAY_TEMPLATE = '{"message":$context.error.messageString}';
