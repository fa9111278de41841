// Integrations and integration responses. HTTP APIs take AWS_PROXY (a Lambda function: PayloadFormatVersion
// 1.0 or 2.0 must be given; an AWS service action by IntegrationSubtype: 1.0) and HTTP_PROXY (1.0); WebSocket APIs
// take every type with payload 1.0 (AWS's defaults as the CLI's examples show them: 29000 ms, "1.0",
// IntegrationResponseSelectionExpression "${integration.response.statuscode}" for non-proxy types).
import type { HandlerContext } from "../../core/context.js";
import type { Apigatewayv2Api, CreateIntegrationRequest, IntegrationResponse, UpdateIntegrationRequest } from "./api.generated.js";
import { ConflictException } from "./api.generated.js";
import { apiOf, badRequest, defined, integrationOut, notFound, page, redeploy } from "./common.js";
import type { ApiRec, IntegrationRec, IntegrationResponseRec } from "./state.js";
import { newId, ofApi, tables, transaction } from "./state.js";

function integrationOf(ctx: HandlerContext, apiId: string, id: string): IntegrationRec {
  const i = tables(ctx).integrations.get(`${apiId}/${id}`);
  if (!i) throw notFound("Integration", id);
  return i;
}

/** Whether an AWS_PROXY integration's URI names a Lambda function (its ARN, or API Gateway's invocation URI of one). */
export const isLambdaUri = (uri: string | undefined): boolean =>
  !!uri &&
  (/^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:/.test(uri) || /^arn:aws[a-z-]*:apigateway:[^:]+:lambda:path\/[^/]+\/functions\/.+\/invocations$/.test(uri));

// HTTP APIs' parameter mapping (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html):
// requests "append|overwrite|remove:header.<name>", "…:querystring.<name>", "overwrite:path"; responses per status code
// "append|overwrite|remove:header.<name>" and "overwrite:statuscode". AWS service integrations (IntegrationSubtype) map
// the action's own parameters instead ("QueueUrl", "MessageBody" …).
const REQUEST_MAPPING = /^((append|overwrite|remove):(header|querystring)\.[^\s]+|overwrite:path)$/;
const RESPONSE_MAPPING = /^((append|overwrite|remove):header\.[^\s]+|overwrite:statuscode)$/;

function checkParameterMappings(rec: IntegrationRec): void {
  if (!rec.integrationSubtype) {
    for (const k of Object.keys(rec.requestParameters ?? {})) {
      if (!REQUEST_MAPPING.test(k))
        throw badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${k}]`); // unverified wording
    }
  }
  for (const [status, map] of Object.entries(rec.responseParameters ?? {})) {
    if (!/^[2-5]\d\d$/.test(status)) throw badRequest(`Invalid status code ${status} in ResponseParameters`); // unverified wording
    for (const k of Object.keys(map)) {
      if (!RESPONSE_MAPPING.test(k))
        throw badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${k}]`); // unverified wording
    }
  }
}

/** The integration as given, with AWS's defaults and refusals for the API's protocol. */
function settle(api: ApiRec, rec: IntegrationRec, given: { payload?: string; timeout?: number }): IntegrationRec {
  const http = api.protocolType === "HTTP";
  const type = rec.integrationType;
  if (http && type !== "AWS_PROXY" && type !== "HTTP_PROXY") {
    throw badRequest(`Integration type ${type} is not supported for HTTP APIs. Supported types: AWS_PROXY, HTTP_PROXY`); // unverified wording
  }
  const out = { ...rec };
  if (http) {
    if (type === "AWS_PROXY" && !rec.integrationSubtype) {
      if (!rec.integrationUri) throw badRequest("IntegrationUri is required for integration type AWS_PROXY"); // unverified wording
      if (!given.payload) throw badRequest("PayloadFormatVersion is a required parameter for integration with type AWS_PROXY and a Lambda integration URI"); // unverified wording
    } else if (type === "HTTP_PROXY") {
      if (!rec.integrationUri) throw badRequest("IntegrationUri is required for integration type HTTP_PROXY"); // unverified wording
      if (rec.connectionType === "INTERNET" && !/^https?:\/\/[^/]+/.test(rec.integrationUri))
        throw badRequest(`Invalid HTTP endpoint specified for URI ${rec.integrationUri}`); // unverified wording
      out.integrationMethod ??= "ANY";
    }
    const payload = given.payload ?? "1.0";
    if (payload !== "1.0" && payload !== "2.0") throw badRequest(`Invalid payload format version ${payload}. Supported values: 1.0, 2.0`); // unverified wording
    if (payload === "2.0" && (type !== "AWS_PROXY" || rec.integrationSubtype)) {
      throw badRequest(`Payload format version 2.0 is supported only for Lambda proxy integrations`); // unverified wording
    }
    out.payloadFormatVersion = payload;
  } else {
    if (given.payload !== undefined && given.payload !== "1.0") throw badRequest("WebSocket APIs support only payload format version 1.0"); // unverified wording
    out.payloadFormatVersion = "1.0";
    if (type !== "AWS_PROXY" && type !== "HTTP_PROXY") out.integrationResponseSelectionExpression ??= "${integration.response.statuscode}";
  }
  if (http) checkParameterMappings(rec);
  const max = http ? 30000 : 29000;
  const timeout = given.timeout ?? (rec.timeoutInMillis || max);
  if (!Number.isInteger(timeout) || timeout < 50 || timeout > max) throw badRequest(`TimeoutInMillis must be between 50 and ${max}`); // unverified wording
  out.timeoutInMillis = timeout;
  return out;
}

function fromInput(input: CreateIntegrationRequest | UpdateIntegrationRequest): Partial<IntegrationRec> {
  return defined({
    integrationType: input.IntegrationType,
    integrationUri: input.IntegrationUri,
    integrationMethod: input.IntegrationMethod,
    integrationSubtype: input.IntegrationSubtype,
    connectionType: input.ConnectionType,
    connectionId: input.ConnectionId,
    credentialsArn: input.CredentialsArn,
    description: input.Description,
    contentHandlingStrategy: input.ContentHandlingStrategy,
    passthroughBehavior: input.PassthroughBehavior,
    requestParameters: input.RequestParameters,
    requestTemplates: input.RequestTemplates,
    responseParameters: input.ResponseParameters,
    templateSelectionExpression: input.TemplateSelectionExpression,
    tlsConfig: input.TlsConfig,
  });
}

/** Makes an integration of the API (CreateIntegration, ImportApi). */
export function makeIntegration(api: ApiRec, input: Omit<CreateIntegrationRequest, "ApiId">): IntegrationRec {
  const base: IntegrationRec = {
    integrationId: newId(),
    integrationType: input.IntegrationType,
    timeoutInMillis: 0, // settled below: the given value, else the protocol's maximum
    connectionType: "INTERNET",
    ...fromInput(input as CreateIntegrationRequest),
  };
  return settle(api, base, { payload: input.PayloadFormatVersion, timeout: input.TimeoutInMillis });
}

function responseOut(r: IntegrationResponseRec): IntegrationResponse {
  return defined({
    ContentHandlingStrategy: r.contentHandlingStrategy,
    IntegrationResponseId: r.integrationResponseId,
    IntegrationResponseKey: r.integrationResponseKey,
    ResponseParameters: r.responseParameters,
    ResponseTemplates: r.responseTemplates,
    TemplateSelectionExpression: r.templateSelectionExpression,
  }) as IntegrationResponse;
}

export const integrations = {
  createIntegration(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    const rec = makeIntegration(api, input);
    transaction(ctx, () => {
      tables(ctx).integrations.put(`${api.apiId}/${rec.integrationId}`, rec);
      redeploy(ctx, api.apiId);
    });
    return integrationOut(rec);
  },

  getIntegration(input, ctx) {
    apiOf(ctx, input.ApiId);
    return integrationOut(integrationOf(ctx, input.ApiId, input.IntegrationId));
  },

  getIntegrations(input, ctx) {
    apiOf(ctx, input.ApiId);
    return page(ctx, "GetIntegrations", ofApi(tables(ctx).integrations, input.ApiId), (i) => i.integrationId, input, integrationOut, input.ApiId);
  },

  updateIntegration(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    const cur = integrationOf(ctx, api.apiId, input.IntegrationId);
    const next = settle(
      api,
      { ...cur, ...fromInput(input) },
      { payload: input.PayloadFormatVersion ?? cur.payloadFormatVersion, timeout: input.TimeoutInMillis },
    );
    transaction(ctx, () => {
      tables(ctx).integrations.put(`${api.apiId}/${cur.integrationId}`, next);
      redeploy(ctx, api.apiId);
    });
    return integrationOut(next);
  },

  deleteIntegration(input, ctx) {
    apiOf(ctx, input.ApiId);
    integrationOf(ctx, input.ApiId, input.IntegrationId);
    const t = tables(ctx);
    const user = ofApi(t.routes, input.ApiId).find((r) => r.target === `integrations/${input.IntegrationId}`);
    if (user) throw new ConflictException(`Cannot delete integration ${input.IntegrationId}: it is the target of route ${user.routeId}`); // unverified wording
    transaction(ctx, () => {
      t.integrations.delete(`${input.ApiId}/${input.IntegrationId}`);
      for (const e of t.integrationResponses.list({ prefix: `${input.ApiId}/${input.IntegrationId}/` })) t.integrationResponses.delete(e.key);
      redeploy(ctx, input.ApiId);
    });
    return {};
  },

  createIntegrationResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    integrationOf(ctx, input.ApiId, input.IntegrationId);
    const t = tables(ctx);
    if (ofApi(t.integrationResponses, input.ApiId, `${input.IntegrationId}/`).some((r) => r.integrationResponseKey === input.IntegrationResponseKey)) {
      throw new ConflictException(`IntegrationResponse with key ${input.IntegrationResponseKey} already exists for this integration`); // unverified wording
    }
    const rec: IntegrationResponseRec = {
      integrationResponseId: newId(),
      integrationResponseKey: input.IntegrationResponseKey,
      ...defined({
        contentHandlingStrategy: input.ContentHandlingStrategy,
        responseParameters: input.ResponseParameters,
        responseTemplates: input.ResponseTemplates,
        templateSelectionExpression: input.TemplateSelectionExpression,
      }),
    };
    t.integrationResponses.put(`${input.ApiId}/${input.IntegrationId}/${rec.integrationResponseId}`, rec);
    return responseOut(rec);
  },

  getIntegrationResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    integrationOf(ctx, input.ApiId, input.IntegrationId);
    const r = tables(ctx).integrationResponses.get(`${input.ApiId}/${input.IntegrationId}/${input.IntegrationResponseId}`);
    if (!r) throw notFound("IntegrationResponse", input.IntegrationResponseId);
    return responseOut(r);
  },

  getIntegrationResponses(input, ctx) {
    apiOf(ctx, input.ApiId);
    integrationOf(ctx, input.ApiId, input.IntegrationId);
    const all = ofApi(tables(ctx).integrationResponses, input.ApiId, `${input.IntegrationId}/`);
    return page(ctx, "GetIntegrationResponses", all, (r) => r.integrationResponseId, input, responseOut, `${input.ApiId}/${input.IntegrationId}`);
  },

  updateIntegrationResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    integrationOf(ctx, input.ApiId, input.IntegrationId);
    const t = tables(ctx);
    const key = `${input.ApiId}/${input.IntegrationId}/${input.IntegrationResponseId}`;
    const cur = t.integrationResponses.get(key);
    if (!cur) throw notFound("IntegrationResponse", input.IntegrationResponseId);
    const next: IntegrationResponseRec = {
      ...cur,
      ...defined({
        integrationResponseKey: input.IntegrationResponseKey,
        contentHandlingStrategy: input.ContentHandlingStrategy,
        responseParameters: input.ResponseParameters,
        responseTemplates: input.ResponseTemplates,
        templateSelectionExpression: input.TemplateSelectionExpression,
      }),
    };
    t.integrationResponses.put(key, next);
    return responseOut(next);
  },

  deleteIntegrationResponse(input, ctx) {
    apiOf(ctx, input.ApiId);
    integrationOf(ctx, input.ApiId, input.IntegrationId);
    if (!tables(ctx).integrationResponses.delete(`${input.ApiId}/${input.IntegrationId}/${input.IntegrationResponseId}`)) {
      throw notFound("IntegrationResponse", input.IntegrationResponseId);
    }
    return {};
  },
} satisfies Partial<Apigatewayv2Api>;
