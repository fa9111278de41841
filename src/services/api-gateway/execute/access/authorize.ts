// (stub: its owner replaces the body) The method's authorization: NONE, AWS_IAM (SigV4 against the caller's
// identity when --auth sigv4 is on), CUSTOM (Lambda TOKEN/REQUEST authorizers, policies evaluated on the method
// ARN, results cached by TTL), COGNITO_USER_POOLS. Fills inv.context.authorizer / identity; throws GatewayError.
import type { RestInvocation } from "../types.js";

export async function authorize(_inv: RestInvocation): Promise<void> {}
