// API Gateway's CloudFormation types (core/resources.ts), REST APIs and what belongs to them, through API Gateway's
// own operations: RestApi, Resource, Method, Deployment, Stage in cloudformation-api.ts; Account, ApiKey, UsagePlan,
// UsagePlanKey, Authorizer, Model, RequestValidator, GatewayResponse, BasePathMapping in cloudformation-parts.ts.
import type { ResourceProviders } from "../../core/resources.js";
import { apiProviders } from "./cloudformation-api.js";
import { partProviders } from "./cloudformation-parts.js";

export default { ...apiProviders, ...partProviders } satisfies ResourceProviders;
