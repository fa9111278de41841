// (stub: its owner replaces the body) HTTP APIs (apigatewayv2) served at <apiId>.execute-api.localhost: route
// keys, payload formats 1.0/2.0, CORS preflight, authorizers, access logs. Answers undefined when no HTTP API has
// that id (route.ts then answers as AWS does for an unknown API).
import type { ServiceHost } from "../../../core/service.js";
import type { ApiRequest, ApiResponse } from "./types.js";

export async function serveHttpApi(_rt: ServiceHost, _req: ApiRequest, _apiId: string): Promise<ApiResponse | undefined> {
  return undefined;
}
