// API Gateway v2 (HTTP and WebSocket APIs): the control plane, one file per area. Deployed HTTP APIs are served
// by API Gateway's execute-api endpoint (api-gateway/execute/), which reads them through internal.ts.
import { defineService } from "../../core/service.js";
import type { Apigatewayv2Api } from "./api.generated.js";
import { apis } from "./apis.js";
import type { V2Instance } from "./common.js";
import { authorizers } from "./authorizers.js";
import { integrations } from "./integrations.js";
import { openapi } from "./openapi.js";
import { routes } from "./routes.js";
import { stages } from "./stages.js";
import { tags } from "./tags.js";

const handlers = { ...apis, ...routes, ...integrations, ...stages, ...authorizers, ...tags, ...openapi } satisfies Partial<Apigatewayv2Api>;

export default defineService({
  name: "apigatewayv2",
  handlers,
  // The server's own URL, for the port of the endpoints handed out when a call has no Host (in-process calls).
  start(host) {
    const instance: V2Instance = { url: () => host.url };
    return { instance };
  },
});
