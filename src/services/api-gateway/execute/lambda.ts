// Calling a function from the execute-api endpoint (Lambda proxy and non-proxy integrations, Lambda authorizers),
// as API Gateway does: the function's resource policy must let apigateway.amazonaws.com invoke it for the
// method's execute-api ARN, unless the integration names a credentials role for API Gateway to assume.
import { isServiceError } from "../../../core/errors.js";
import { rootPrincipal } from "../../../core/identity.js";
import type { ServiceHost } from "../../../core/service.js";
import { lambdaPermits } from "../../lambda/internal.js";
import { INTERNAL } from "./errors.js";
import { assumedRole, CALLER_CREDENTIALS } from "./role.js";
import type { Owner } from "./types.js";

// arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations
const LAMBDA_URI = /^arn:aws[\w-]*:apigateway:[a-z0-9-]+:lambda:path\/[\d-]+\/functions\/(.+?)\/invocations$/;

/** The function ARN an integration (or authorizer) URI names; undefined when it is not a Lambda URI. */
export function functionArnOf(uri: string | undefined): string | undefined {
  const m = uri ? LAMBDA_URI.exec(uri) : null;
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/** `${stageVariables.name}` references in an integration URI, replaced as API Gateway does before calling. */
export function withStageVariables(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, n: string) => vars[n] ?? "");
}

export interface LambdaAnswer {
  payload: Buffer;
  /** X-Amz-Function-Error: Unhandled (the function threw) or Handled. */
  functionError?: string;
}

/**
 * Invokes `functionArn` synchronously for an API of `owner`. `sourceArn` is the execute-api ARN of the method
 * (arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>) or of the authorizer
 * (…:<apiId>/authorizers/<id>). Without permission, API Gateway answers 500 "Internal server error"
 * (its execution log says "Invalid permissions on Lambda function").
 */
export async function invokeFunction(
  rt: ServiceHost,
  owner: Owner,
  functionArn: string,
  event: unknown,
  sourceArn: string,
  opts: { credentials?: string; requestId: string; sourceIp?: string; userAgent?: string },
): Promise<LambdaAnswer> {
  if (!opts.credentials && !lambdaPermits(rt, functionArn, "apigateway.amazonaws.com", sourceArn, owner.account)) {
    rt.logger.debug(`execute-api: ${sourceArn}: Invalid permissions on Lambda function ${functionArn}`);
    throw INTERNAL();
  }
  const fnRegion = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):/.exec(functionArn);
  const account = fnRegion?.[2] ?? owner.account;
  const region = fnRegion?.[1] ?? owner.region;
  // With a credentials role, API Gateway invokes as that role's session: the role must exist and trust API Gateway.
  // (The caller's own credentials, arn:aws:iam::*:user/*, were checked by the method's IAM authorization.)
  let principal = rootPrincipal(account);
  if (opts.credentials && opts.credentials !== CALLER_CREDENTIALS) {
    const role = assumedRole(rt, opts.credentials);
    if (!role) {
      rt.logger.debug(`execute-api: ${sourceArn}: API Gateway does not have permission to assume the provided role ${opts.credentials}`);
      throw INTERNAL();
    }
    principal = role.principal;
  }
  try {
    const out = await rt.call(
      "lambda",
      "Invoke",
      { FunctionName: functionArn, Payload: Buffer.from(JSON.stringify(event)) },
      {
        account,
        region,
        principal,
        requestId: opts.requestId,
        sourceIp: opts.sourceIp,
        userAgent: opts.userAgent,
        invokedBy: "api-gateway",
      },
    );
    return { payload: Buffer.from((out.Payload as Uint8Array | undefined) ?? []), functionError: out.FunctionError as string | undefined };
  } catch (e) {
    // A throttled function (TooManyRequestsException) is an integration failure to the caller: 500, not a 429
    // ("Throttling occurs", https://repost.aws/knowledge-center/api-gateway-internal-server-error).
    if (!isServiceError(e)) rt.logger.error("execute-api: Lambda invocation failed", e);
    throw INTERNAL();
  }
}
