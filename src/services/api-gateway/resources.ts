// (stub: filled in by its owner)
import type { ApiGatewayApi } from "./api.generated.js";

export const resources = {} satisfies Partial<ApiGatewayApi>;
