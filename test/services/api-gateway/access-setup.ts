// Shared set-up for the access tests (keys and plans, authorizers, IAM, validators): a REST API whose methods are
// Lambda proxies to the echo function (execute-setup.ts) with the method settings under test (API key required, an
// authorizer, a validator, required parameters, request models), deployed to a stage.
import { PutIntegrationCommand, PutMethodCommand, type PutMethodCommandInput } from "@aws-sdk/client-api-gateway";
import type { ApiEnv } from "./execute-setup.js";
import { lambdaUri, restApi } from "./execute-setup.js";

export type AccessMethod = { path: string; verb: string } & Partial<
  Pick<PutMethodCommandInput, "apiKeyRequired" | "authorizationType" | "authorizerId" | "requestValidatorId" | "requestParameters" | "requestModels">
>;

/** Puts one method (a Lambda proxy to the echo function) with its access settings. */
export async function putAccessMethod(env: ApiEnv, apiId: string, resourceId: string, m: AccessMethod) {
  const { path: _, verb, ...settings } = m;
  await env.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: verb, authorizationType: "NONE", ...settings }));
  await env.apigw.send(
    new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: verb, type: "AWS_PROXY", integrationHttpMethod: "POST", uri: lambdaUri(env.fnArn) }),
  );
}

/** A REST API (created empty of methods) and a way to add access-controlled methods along paths. */
export async function accessApi(env: ApiEnv, extra: { apiKeySource?: "HEADER" | "AUTHORIZER" } = {}) {
  const api = await restApi(env, [], extra as Record<string, never>);
  return {
    ...api,
    put: async (m: AccessMethod) => putAccessMethod(env, api.apiId, await api.resourceId(m.path), m),
  };
}
