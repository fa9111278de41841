// (stub: filled in by its owner)
import type { ApiGatewayApi } from "./api.generated.js";

export const keys = {} satisfies Partial<ApiGatewayApi>;
