// A request the gateway itself refuses (no integration answered): each carries the gateway response type AWS
// uses for it, so the stage's deployed gateway responses (PutGatewayResponse) can reshape it (rest.ts renders
// it), and the default status and message AWS answers. The defaults' wording is AWS's: see
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
import type { GatewayResponseType } from "../api.generated.js";

export class GatewayError extends Error {
  constructor(
    readonly responseType: GatewayResponseType,
    readonly statusCode: number,
    message: string,
    /** Headers the answer must carry whatever the gateway response says (e.g. WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
    /** x-amzn-ErrorType, when AWS sends a specific one (UnauthorizedException, AccessDeniedException, …). */
    readonly errorType?: string,
    /**
     * The body AWS answers when the type's gateway response is not customised, where it is not the usual
     * {"message": …}: a Lambda authorizer's deny ({"Message": …}), its configuration error ({"message": null}).
     */
    readonly defaultBody?: string,
  ) {
    super(message);
  }
}

export const isGatewayError = (e: unknown): e is GatewayError => e instanceof GatewayError;

/** The refusals the pipeline raises in more than one place, worded as AWS answers them. */
export const MISSING_AUTH_TOKEN = () =>
  new GatewayError("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", {}, "MissingAuthenticationTokenException");
export const FORBIDDEN = () => new GatewayError("ACCESS_DENIED", 403, "Forbidden", {}, "ForbiddenException");
export const UNAUTHORIZED = () => new GatewayError("UNAUTHORIZED", 401, "Unauthorized", {}, "UnauthorizedException");
export const INTERNAL = () => new GatewayError("DEFAULT_5XX", 500, "Internal server error", {}, "InternalServerErrorException");
export const TIMEOUT = () => new GatewayError("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out");
export const BAD_GATEWAY = () => new GatewayError("DEFAULT_5XX", 502, "Internal server error");
