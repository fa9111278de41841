// HTTP API integrations: AWS_PROXY to Lambda (payload 2.0 or 1.0) and HTTP_PROXY to a URL, each bounded by the
// integration's timeoutInMillis (30 s unless set) past which API Gateway answers 503 "Service Unavailable".
import type { ServiceHost } from "../../../../core/service.js";
import type { IntegrationRec } from "../../../apigatewayv2/internal.js";
import { functionArnOf, invokeFunction, withStageVariables } from "../lambda.js";
import type { Owner } from "../types.js";
import { awsService } from "./aws-service.js";
import { proxyHttp } from "./http-proxy.js";
import { eventV1, eventV2, type HttpCall, MalformedResponse, type ProxyAnswer, responseV1, responseV2 } from "./payload.js";
import { HttpApiError, INTERNAL, UNAVAILABLE } from "./respond.js";

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[^/]+$/;

export interface IntegrationCall extends HttpCall {
  rt: ServiceHost;
  owner: Owner;
  integration: IntegrationRec;
  /** The route's execute-api ARN, the sourceArn Lambda's resource policy is checked against. */
  sourceArn: string;
  /** "/<stage>" for a named stage, "" for $default: what the request's path starts with. */
  stagePrefix: string;
  /** $context values for parameter mappings. */
  context: Record<string, string>;
}

/** Runs `work` past the timeout: 503 then (the work itself goes on, as a Lambda invocation does on AWS). */
function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(UNAVAILABLE());
    }, ms);
  });
  return Promise.race([work(ctl.signal), timeout]).finally(() => clearTimeout(timer));
}

export function integrate(c: IntegrationCall): Promise<ProxyAnswer> {
  const { integration } = c;
  const timeout = integration.timeoutInMillis || 30_000;
  switch (integration.integrationType) {
    case "AWS_PROXY":
      return withTimeout(timeout, () => (integration.integrationSubtype ? awsService(c) : lambdaProxy(c)));
    case "HTTP_PROXY":
      return withTimeout(timeout, (signal) => proxyHttp(c, signal));
    default:
      // HTTP APIs take AWS_PROXY and HTTP_PROXY integrations (MOCK, AWS and HTTP are WebSocket APIs').
      c.rt.logger.debug(`execute-api: ${c.apiId}: integration type ${integration.integrationType} is not served for HTTP APIs`);
      return Promise.reject(INTERNAL());
  }
}

/** The function an AWS_PROXY integration names: its URI is a function ARN or a Lambda invocation URI. */
function functionOf(uri: string | undefined, vars: Record<string, string>): string | undefined {
  if (!uri) return undefined;
  const u = withStageVariables(uri, vars);
  return functionArnOf(u) ?? (LAMBDA_ARN.test(u) || /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:/]+:[^:/]+$/.test(u) ? u : undefined);
}

async function lambdaProxy(c: IntegrationCall): Promise<ProxyAnswer> {
  const fn = functionOf(c.integration.integrationUri, c.stageVariables);
  if (!fn) {
    c.rt.logger.debug(`execute-api: ${c.apiId}: integration ${c.integration.integrationId} names no Lambda function`);
    throw INTERNAL();
  }
  const v1 = c.integration.payloadFormatVersion === "1.0";
  const event = v1 ? eventV1(c) : eventV2(c);
  let out: Awaited<ReturnType<typeof invokeFunction>>;
  try {
    out = await invokeFunction(c.rt, c.owner, fn, event, c.sourceArn, {
      ...(c.integration.credentialsArn ? { credentials: c.integration.credentialsArn } : {}),
      requestId: c.requestId,
      sourceIp: c.req.sourceIp,
      userAgent: c.req.userAgent,
    });
  } catch (e) {
    if (e instanceof HttpApiError) throw e;
    throw INTERNAL();
  }
  if (out.functionError) {
    c.rt.logger.debug(`execute-api: ${c.apiId}: the function ${fn} failed (${out.functionError})`);
    throw INTERNAL();
  }
  try {
    return v1 ? responseV1(out.payload) : responseV2(out.payload);
  } catch (e) {
    if (e instanceof MalformedResponse) {
      c.rt.logger.debug(`execute-api: ${c.apiId}: malformed Lambda proxy response: ${e.message}`);
      throw INTERNAL();
    }
    throw e;
  }
}
