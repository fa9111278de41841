// API Gateway (REST APIs): the control plane's handlers per resource file; the execute-api endpoint that serves
// deployed APIs is execute/route.ts (a registry route, loaded on its first request).
import { defineService } from "../../core/service.js";
import { account } from "./account.js";
import { apiParts } from "./api-parts.js";
import type { ApiGatewayApi } from "./api.generated.js";
import { deployments } from "./deployments.js";
import { documentation } from "./documentation.js";
import { domains } from "./domains.js";
import { imports } from "./imports.js";
import { keys } from "./keys.js";
import { resources } from "./resources.js";
import { restApis } from "./restapis.js";
import { tags } from "./tags.js";

const handlers = {
  ...restApis,
  ...resources,
  ...deployments,
  ...apiParts,
  ...tags,
  ...keys,
  ...imports,
  ...documentation,
  ...domains,
  ...account,
} satisfies Partial<ApiGatewayApi>;

export default defineService({ name: "api-gateway", handlers });
