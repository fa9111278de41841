// A method's responses, its integration and the integration's responses (Put/Get/Update/Delete of each), with
// AWS's checks on an integration (an HTTP method for HTTP/HTTP_PROXY/AWS/AWS_PROXY, an http(s) URI for HTTP
// ones, an apigateway service ARN for AWS ones, a Lambda function for AWS_PROXY) and its defaults
// (passthroughBehavior WHEN_NO_MATCH, timeout 29 s, the resource id as cache namespace). Wording: AWS's, as
// recorded in LocalStack's test_apigateway_integrations / test_apigateway_lambda / test_apigateway_api snapshots.
import type { HandlerContext } from "../../core/context.js";
import { BadRequestException, NotFoundException } from "./api.generated.js";
import type {
  ApiGatewayApi,
  Integration,
  IntegrationResponse,
  Method,
  MethodResponse,
  PatchOperation,
  PutIntegrationRequest,
  PutIntegrationResponseRequest,
  PutMethodResponseRequest,
} from "./api.generated.js";
import { defined, integrationNotFound, requireMethod, statusNotFound } from "./common.js";
import { applyPatch, decodePath, type PatchSpec } from "./patch.js";
import { tables, type ResourceRec } from "./state.js";

type MethodKey = { restApiId: string; resourceId: string; httpMethod: string };

/** Stores a method changed by `change` (a copy of it) and answers what `change` returns. */
function withMethod<R>(ctx: HandlerContext, input: MethodKey, change: (m: Method) => R): R {
  const { res, method, verb } = requireMethod(ctx, input);
  const next = structuredClone(method);
  const out = change(next);
  const rec: ResourceRec = { ...res, resourceMethods: { ...res.resourceMethods, [verb]: next } };
  tables(ctx).resources.put(`${input.restApiId}/${res.id}`, rec);
  return out;
}

const emptyless = <T extends object>(o: T): T => {
  const out = { ...o } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v && typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length) delete out[k];
  return out as T;
};

// ---- method responses ----

const METHOD_RESPONSE_PATCH: PatchSpec = {
  responseParameters: { kind: "booleanMap", ops: ["add", "remove", "replace"] },
  responseModels: { kind: "map", ops: ["add", "remove", "replace"] },
};

function updateMethodResponse(input: MethodKey & { statusCode: string; patchOperations?: PatchOperation[] }, ctx: HandlerContext): MethodResponse {
  return withMethod(ctx, input, (m) => {
    const current = m.methodResponses?.[input.statusCode];
    if (!current) throw statusNotFound();
    for (const op of input.patchOperations ?? []) {
      const [field, key] = op.path ? decodePath(op.path) : [];
      if (field !== "responseParameters" && field !== "responseModels") throw new BadRequestException(`Invalid patch path ${op.path ?? "null"}`);
      if (op.op === "remove" || op.op === "replace") {
        const has = key !== undefined && (field === "responseParameters" ? current.responseParameters : current.responseModels)?.[key] !== undefined;
        if (!has) throw new NotFoundException(field === "responseParameters" ? "Invalid parameter name specified" : "Content-Type specified was not found");
      }
    }
    const next = applyPatch(current, input.patchOperations, METHOD_RESPONSE_PATCH);
    m.methodResponses = { ...m.methodResponses, [input.statusCode]: next };
    return emptyless(next);
  });
}

// ---- integrations ----

const NEEDS_HTTP_METHOD = new Set(["HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY"]);
const PASSTHROUGH = ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"];
const MAX_TIMEOUT = 29_000;

/** AWS's checks on an integration's type, method and URI. */
function checkIntegration(i: Integration): void {
  const type = i.type as string;
  if (NEEDS_HTTP_METHOD.has(type) && !i.httpMethod) throw new BadRequestException("Enumeration value for HttpMethod must be non-empty");
  if ((type === "HTTP" || type === "HTTP_PROXY") && i.connectionType !== "VPC_LINK") {
    let ok = false;
    try {
      const u = new URL(i.uri ?? "");
      ok = (u.protocol === "http:" || u.protocol === "https:") && !!u.hostname;
    } catch {
      ok = false;
    }
    if (!ok) throw new BadRequestException("Invalid HTTP endpoint specified for URI");
  }
  if (type === "AWS" || type === "AWS_PROXY") {
    const parts = (i.uri ?? "").split(":");
    if (parts.length < 6 || parts[0] !== "arn" || !parts[1]) throw new BadRequestException("Invalid ARN specified in the request");
    const resource = parts.slice(5).join(":");
    if (parts[2] !== "apigateway" || !/^(path|action)\/./.test(resource)) throw new BadRequestException("AWS ARN for integration must contain path or action");
    if (
      type === "AWS_PROXY" &&
      !(parts[4] === "lambda" && /^path\/2015-03-31\/functions\/.+\/invocations$/.test(resource)) &&
      !(parts[4] === "firehose" && resource.startsWith("action/"))
    )
      throw new BadRequestException("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.");
  }
  if (i.passthroughBehavior !== undefined && !PASSTHROUGH.includes(i.passthroughBehavior))
    // unverified wording
    throw new BadRequestException(
      `Invalid passthrough behavior specified: ${i.passthroughBehavior}. Valid options are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER`,
    );
  const timeout = i.timeoutInMillis as number;
  // unverified wording; AWS lets regional and private APIs raise the 29 s limit through a quota increase, which a
  // local endpoint has no quota for, so the default limit holds.
  if (!Number.isInteger(timeout) || timeout < 50 || timeout > MAX_TIMEOUT)
    throw new BadRequestException(`Timeout should be between 50 ms and ${MAX_TIMEOUT} ms`);
}

/** An integration as AWS answers it: MOCK drops the URI; empty maps left out; cacheKeyParameters always present. */
export function integrationOut(i: Integration): Integration {
  const out = emptyless(structuredClone(i));
  out.cacheKeyParameters = i.cacheKeyParameters ?? [];
  if (out.integrationResponses) out.integrationResponses = Object.fromEntries(Object.entries(out.integrationResponses).map(([k, v]) => [k, emptyless(v)]));
  return out;
}

function putIntegration(input: PutIntegrationRequest, ctx: HandlerContext): Integration {
  return withMethod(ctx, input, (m) => {
    const http = input.type === "HTTP" || input.type === "HTTP_PROXY";
    const integration: Integration = defined({
      type: input.type,
      httpMethod: input.integrationHttpMethod ? input.integrationHttpMethod.toUpperCase() : undefined,
      uri: input.type === "MOCK" ? undefined : input.uri,
      connectionType: input.connectionType ?? (http ? "INTERNET" : undefined),
      connectionId: input.connectionId,
      credentials: input.credentials,
      requestParameters: input.requestParameters,
      requestTemplates: input.requestTemplates,
      passthroughBehavior: input.passthroughBehavior ?? "WHEN_NO_MATCH",
      contentHandling: input.contentHandling,
      timeoutInMillis: input.timeoutInMillis ?? MAX_TIMEOUT,
      cacheNamespace: input.cacheNamespace ?? input.resourceId,
      cacheKeyParameters: input.cacheKeyParameters ?? [],
      tlsConfig: input.tlsConfig,
      responseTransferMode: input.responseTransferMode,
      integrationTarget: input.integrationTarget,
    });
    checkIntegration(integration);
    m.methodIntegration = integration;
    return integrationOut(integration);
  });
}

const INTEGRATION_PATCH: PatchSpec = {
  uri: { kind: "string", ops: ["replace"] },
  httpMethod: { kind: "string", ops: ["replace"] },
  type: { kind: "string", ops: ["replace"] },
  credentials: { kind: "string", ops: ["replace"] },
  passthroughBehavior: { kind: "string", ops: ["replace"] },
  contentHandling: { kind: "string", ops: ["replace"] },
  timeoutInMillis: { kind: "integer", ops: ["replace"] },
  cacheNamespace: { kind: "string", ops: ["replace"] },
  connectionId: { kind: "string", ops: ["replace"] },
  connectionType: { kind: "string", ops: ["replace"] },
  responseTransferMode: { kind: "string", ops: ["replace"] },
  integrationTarget: { kind: "string", ops: ["replace"] },
  requestParameters: { kind: "map", ops: ["add", "remove", "replace"] },
  requestTemplates: { kind: "map", ops: ["add", "remove", "replace"] },
  cacheKeyParameters: { kind: "list", ops: ["add", "remove"] },
  "tlsConfig/insecureSkipVerification": { kind: "boolean", ops: ["replace"] },
};

// ---- integration responses ----

const INTEGRATION_RESPONSE_PATCH: PatchSpec = {
  selectionPattern: { kind: "string", ops: ["replace"] },
  contentHandling: { kind: "string", ops: ["replace"] },
  responseParameters: { kind: "map", ops: ["add", "remove", "replace"] },
  responseTemplates: { kind: "map", ops: ["add", "remove", "replace"] },
};

function requireIntegration(m: Method): Integration {
  if (!m.methodIntegration) throw integrationNotFound();
  return m.methodIntegration;
}

function putIntegrationResponse(input: PutIntegrationResponseRequest, ctx: HandlerContext): IntegrationResponse {
  return withMethod(ctx, input, (m) => {
    const integration = requireIntegration(m);
    const response: IntegrationResponse = defined({
      statusCode: input.statusCode,
      selectionPattern: input.selectionPattern,
      responseParameters: input.responseParameters,
      responseTemplates: input.responseTemplates,
      contentHandling: input.contentHandling,
    });
    integration.integrationResponses = { ...integration.integrationResponses, [input.statusCode]: response };
    return emptyless(response);
  });
}

export const integrations = {
  putMethodResponse(input: PutMethodResponseRequest, ctx: HandlerContext) {
    return withMethod(ctx, input, (m) => {
      const response: MethodResponse = defined({
        statusCode: input.statusCode,
        responseParameters: input.responseParameters,
        responseModels: input.responseModels,
      });
      m.methodResponses = { ...m.methodResponses, [input.statusCode]: response };
      return emptyless(response);
    });
  },

  getMethodResponse(input, ctx) {
    const response = requireMethod(ctx, input).method.methodResponses?.[input.statusCode];
    if (!response) throw statusNotFound();
    return emptyless(response);
  },

  updateMethodResponse,

  deleteMethodResponse(input, ctx) {
    return withMethod(ctx, input, (m) => {
      if (!m.methodResponses?.[input.statusCode]) throw statusNotFound();
      delete m.methodResponses[input.statusCode];
      return {};
    });
  },

  putIntegration,

  getIntegration(input, ctx) {
    return integrationOut(requireIntegration(requireMethod(ctx, input).method));
  },

  updateIntegration(input, ctx) {
    return withMethod(ctx, input, (m) => {
      const next = applyPatch(requireIntegration(m), input.patchOperations, INTEGRATION_PATCH);
      if (next.type === "MOCK") delete next.uri;
      checkIntegration(next);
      m.methodIntegration = next;
      return integrationOut(next);
    });
  },

  deleteIntegration(input, ctx) {
    return withMethod(ctx, input, (m) => {
      requireIntegration(m);
      delete m.methodIntegration;
      return {};
    });
  },

  putIntegrationResponse,

  getIntegrationResponse(input, ctx) {
    const response = requireIntegration(requireMethod(ctx, input).method).integrationResponses?.[input.statusCode];
    if (!response) throw statusNotFound();
    return emptyless(response);
  },

  updateIntegrationResponse(input, ctx) {
    return withMethod(ctx, input, (m) => {
      const integration = requireIntegration(m);
      const current = integration.integrationResponses?.[input.statusCode];
      if (!current) throw statusNotFound();
      const next = applyPatch(current, input.patchOperations, INTEGRATION_RESPONSE_PATCH);
      integration.integrationResponses = { ...integration.integrationResponses, [input.statusCode]: next };
      return emptyless(next);
    });
  },

  deleteIntegrationResponse(input, ctx) {
    return withMethod(ctx, input, (m) => {
      const integration = requireIntegration(m);
      if (!integration.integrationResponses?.[input.statusCode]) throw statusNotFound();
      delete integration.integrationResponses[input.statusCode];
      return {};
    });
  },
} satisfies Partial<ApiGatewayApi>;
