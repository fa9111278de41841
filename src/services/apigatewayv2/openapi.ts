import type { Apigatewayv2Api } from "./api.generated.js";
export const openapi = {} satisfies Partial<Apigatewayv2Api>;
