// API Gateway v2 (HTTP APIs): the control plane. Deployed HTTP APIs are served by API Gateway's execute-api
// endpoint (api-gateway/execute/), which reads them through internal.ts.
import { defineService } from "../../core/service.js";
import type { Apigatewayv2Api } from "./api.generated.js";

const handlers = {} satisfies Partial<Apigatewayv2Api>;

export default defineService({ name: "apigatewayv2", handlers });
