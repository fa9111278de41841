// The non-proxy integrations and HTTP_PROXY: AWS (service actions, aws.ts), HTTP and HTTP_PROXY (http.ts) and
// MOCK (here), with request/response mapping templates (vtl.ts), parameter mappings, passthrough behaviour,
// content handling and integration response selection (mapping.ts). AWS_PROXY (Lambda proxy) is rest.ts's own.
import { GatewayError, INTERNAL } from "../errors.js";
import type { ApiResponse, RestInvocation } from "../types.js";
import { awsIntegration } from "./aws.js";
import { httpIntegration, httpProxy } from "./http.js";
import { integrationRequest, methodResponse } from "./mapping.js";

// The request template's statusCode. AWS reads the template's output leniently (the console's and the CDK's CORS
// template is `{ statusCode: 200 }`, unquoted): the first statusCode member's number.
const STATUS_CODE = /["']?statusCode["']?\s*:\s*["']?(\d{3})/;

/**
 * MOCK: no backend. The request template's {"statusCode": N} selects the integration response (N against the
 * selection patterns, else the default), whose templates and parameters make the answer from nothing.
 */
function mock(inv: RestInvocation): ApiResponse {
  const integration = inv.method.methodIntegration!;
  const ireq = integrationRequest(inv, integration);
  let status = "200";
  if (ireq.body.length) {
    const m = STATUS_CODE.exec(ireq.body.toString("utf8"));
    if (m) status = m[1]!;
  }
  return methodResponse(inv, integration, { selector: status, headers: {}, body: Buffer.alloc(0) });
}

export async function integrate(inv: RestInvocation, signal: AbortSignal): Promise<ApiResponse> {
  const integration = inv.method.methodIntegration;
  if (!integration) throw INTERNAL();
  if ((integration.type === "HTTP" || integration.type === "HTTP_PROXY") && integration.connectionType === "VPC_LINK") {
    throw new GatewayError("DEFAULT_5XX", 500, "Stratus does not run VPC links, which this integration connects through");
  }
  switch (integration.type) {
    case "MOCK":
      return mock(inv);
    case "HTTP":
      return httpIntegration(inv, integration, signal);
    case "HTTP_PROXY":
      return httpProxy(inv, integration, signal);
    case "AWS":
      return awsIntegration(inv, integration);
    default:
      throw new GatewayError("DEFAULT_5XX", 500, `Stratus does not run ${integration.type} integrations here`);
  }
}
