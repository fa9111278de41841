// (stub: its owner replaces the body) The method's request validator: required parameters and the body against
// the request model's JSON schema (draft 4). Throws GatewayError BAD_REQUEST_PARAMETERS / BAD_REQUEST_BODY.
import type { RestInvocation } from "../types.js";

export function validateRequest(_inv: RestInvocation): void {}
