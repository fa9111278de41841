// (stub: its owner replaces the body) The non-proxy integrations and HTTP_PROXY: AWS (service actions), HTTP,
// HTTP_PROXY and MOCK, with request/response mapping templates (VTL), parameter mappings, passthrough behaviour,
// content handling and integration response selection. AWS_PROXY (Lambda proxy) is rest.ts's own.
import { GatewayError } from "../errors.js";
import type { ApiResponse, RestInvocation } from "../types.js";

export async function integrate(inv: RestInvocation, _signal: AbortSignal): Promise<ApiResponse> {
  throw new GatewayError("DEFAULT_5XX", 500, `Stratus does not run ${inv.method.methodIntegration?.type} integrations yet`);
}
