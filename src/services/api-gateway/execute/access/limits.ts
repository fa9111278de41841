// (stub: its owner replaces the body) API keys and limits: apiKeyRequired (x-api-key, or the authorizer's
// usageIdentifierKey), usage plans' throttling and quotas, stage and method throttling. Throws GatewayError
// (403 Forbidden, 429 Too Many Requests, 429 Limit Exceeded); fills inv.context.identity.apiKey / apiKeyId.
import type { RestInvocation } from "../types.js";

export function enforceLimits(_inv: RestInvocation): void {}
