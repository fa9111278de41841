// The method's authorization, before its integration runs:
// - NONE: nothing.
// - AWS_IAM: the request must carry a SigV4 signature (none: 403 "Missing Authentication Token"); with --auth sigv4
//   it is verified (scope service "execute-api") as the AWS APIs verify theirs, and the caller fills
//   requestContext.identity (accessKey, accountId, caller, user, userArn).
// - CUSTOM: a Lambda authorizer (authorizer.ts: TOKEN and REQUEST events, the policy it returns evaluated on the
//   method ARN, results cached by identity source for the authorizer's TTL).
// - COGNITO_USER_POOLS: Stratus runs no Amazon Cognito, so such a method answers 500 saying so (never allowed).
import { type SignedCaller, signedCaller } from "../../../../core/auth/endpoint-sigv4.js";
import { isServiceError } from "../../../../core/errors.js";
import type { Principal } from "../../../../core/identity.js";
import type { HttpRequest } from "../../../../core/http.js";
import { GatewayError, MISSING_AUTH_TOKEN } from "../errors.js";
import type { RestInvocation } from "../types.js";
import { lambdaAuthorize } from "./authorizer.js";

/** The usageIdentifierKey a Lambda authorizer returned (the API key, for an API whose apiKeySource is AUTHORIZER). */
const usageKeys = new WeakMap<RestInvocation, string>();
/** The verified IAM caller of an AWS_IAM method, for the resource policy that follows. */
const iamCallers = new WeakMap<RestInvocation, Principal>();
export const iamCallerOf = (inv: RestInvocation): Principal | undefined => iamCallers.get(inv);
export const usageIdentifierKey = (inv: RestInvocation): string | undefined => usageKeys.get(inv);
export const setUsageIdentifierKey = (inv: RestInvocation, key: string): void => {
  usageKeys.set(inv, key);
};

/** The path the client sent (and signed): the Host form's "/<stage>/<path>", or the LocalStack-style path form. */
function sentPath(inv: RestInvocation): string {
  const below = inv.req.path === "/" ? "" : inv.req.path;
  if (inv.req.domainPrefix === inv.apiId) return `/${inv.stage.stageName}${below}`;
  return `/restapis/${inv.apiId}/${inv.stage.stageName}/_user_request_${below || "/"}`;
}

function httpRequestOf(inv: RestInvocation): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(inv.req.headers)) {
    const k = name.toLowerCase();
    headers[k] = headers[k] === undefined ? values.join(", ") : `${headers[k]}, ${values.join(", ")}`;
  }
  return { method: inv.req.method, path: sentPath(inv), query: inv.req.rawQuery, headers, body: inv.req.body };
}

/** The refusal for a signature that does not verify, as the service error's code names it. */
function signatureRefusal(code: string, message: string): GatewayError {
  if (code === "ExpiredToken" || code === "ExpiredTokenException") return new GatewayError("EXPIRED_TOKEN", 403, message, {}, "ExpiredTokenException");
  if (code === "UnrecognizedClientException" || code === "InvalidClientTokenId") {
    return new GatewayError("UNAUTHORIZED", 403, message, {}, "UnrecognizedClientException");
  }
  return new GatewayError("INVALID_SIGNATURE", 403, message, {}, "InvalidSignatureException");
}

function authorizeIam(inv: RestInvocation): void {
  const { rt } = inv;
  let caller: SignedCaller | undefined;
  try {
    caller = signedCaller(rt, httpRequestOf(inv), "execute-api");
  } catch (e) {
    if (isServiceError(e)) throw signatureRefusal(e.code, e.message);
    throw e;
  }
  if (!caller) throw MISSING_AUTH_TOKEN();
  const { principal } = caller;
  iamCallers.set(inv, principal);
  // requestContext.identity for an IAM-authorized request, as API Gateway fills it.
  const id = inv.context.identity;
  id.accessKey = caller.accessKeyId;
  id.accountId = principal.accountId;
  id.caller = principal.principalId;
  id.user = principal.principalId;
  id.userArn = principal.arn;
}

export async function authorize(inv: RestInvocation): Promise<void> {
  switch (inv.method.authorizationType ?? "NONE") {
    case "NONE":
      return;
    case "AWS_IAM":
      return authorizeIam(inv);
    case "CUSTOM":
      return lambdaAuthorize(inv, setUsageIdentifierKey);
    case "COGNITO_USER_POOLS":
      throw new GatewayError(
        "AUTHORIZER_CONFIGURATION_ERROR",
        500,
        "COGNITO_USER_POOLS authorizers cannot run here: Stratus has no Amazon Cognito user pools",
        {},
        "AuthorizerConfigurationException",
      );
    default:
      throw new GatewayError("API_CONFIGURATION_ERROR", 500, "Internal server error", {}, "InternalServerErrorException");
  }
}
