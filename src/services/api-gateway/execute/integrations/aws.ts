// AWS (non-proxy) integrations: API Gateway calls an AWS service's own HTTP API, as the integration's credentials
// role. The URI says which service and how: arn:aws:apigateway:<region>:<service>:path/<path> (a request to that
// path of the service's endpoint, with the integration's HTTP method) or …:<service>:action/<Action> (the query
// API's Action, or X-Amz-Target for a JSON service). Stratus builds that request from the mapped integration
// request and reads it with the service's own protocol codec (driven by its model), calls the operation in-process
// as the role's session, and answers what the service's endpoint would have (its XML or JSON, its status code),
// which the integration responses then map. Lambda's invocation path calls the function (execute/lambda.ts).
import type { Readable } from "node:stream";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isServiceError, type ServiceError } from "../../../../core/errors.js";
import { rootPrincipal, type Principal } from "../../../../core/identity.js";
import { modelsDir, type ServiceModel } from "../../../../core/model.js";
import type { Identity } from "../../../../core/service.js";
import { codecFor, type HttpRequest, type ProtocolName } from "../../../../protocols/index.js";
import { assumedRole, CALLER_CREDENTIALS } from "../role.js";
import { lambdaPermits } from "../../../lambda/internal.js";
import type { Integration } from "../../api.generated.js";
import { GatewayError, INTERNAL } from "../errors.js";
import { functionArnOf, invokeFunction, withStageVariables } from "../lambda.js";
import type { ApiResponse, RestInvocation } from "../types.js";
import { integrationRequest, methodResponse, type IntegrationAnswer, type IntegrationRequest } from "./mapping.js";

// arn:aws:apigateway:<region>:[<subdomain>.]<service>:(path|action)/<rest>; S3's subdomain is a bucket (virtual-hosted).
const AWS_URI = /^arn:aws[\w-]*:apigateway:([a-z0-9-]+):(?:([^:]+)\.)?([a-z0-9-]+):(path|action)\/(.*)$/s;

interface RoutingFact {
  protocols: string[];
  endpointPrefix: string;
  signingName?: string;
}
let byPrefix: Map<string, { name: string; protocols: ProtocolName[] }> | undefined;

/**
 * The Stratus service a URI's service name (the endpoint prefix, e.g. "sqs", "events") names, and the protocols
 * its endpoint speaks (SQS: JSON and, awsQueryCompatible, the query API), from the models' index.
 */
function serviceNamed(prefix: string): { name: string; protocols: ProtocolName[] } | undefined {
  if (!byPrefix) {
    byPrefix = new Map();
    const facts = JSON.parse(readFileSync(join(modelsDir, "index.json"), "utf8")) as Record<string, RoutingFact>;
    const entries = Object.entries(facts).map(([name, f]) => [f, { name, protocols: f.protocols as ProtocolName[] }] as const);
    for (const [f, s] of entries) if (!byPrefix.has(f.endpointPrefix)) byPrefix.set(f.endpointPrefix, s);
    for (const [f, s] of entries) if (f.signingName && !byPrefix.has(f.signingName)) byPrefix.set(f.signingName, s);
  }
  return byPrefix.get(prefix);
}

/**
 * The protocol the request is in: an action-style URI is the query API's Action where the service has one, else
 * its JSON API's target; a path-style URI is the service's REST API, or its query API (a form with an Action, as
 * SQS's POST /<account>/<queue> takes), or its JSON API.
 */
function protocolFor(protocols: ProtocolName[], style: string, ireq: IntegrationRequest): ProtocolName | undefined {
  const has = (p: ProtocolName) => protocols.includes(p);
  if (style === "action") return has("query") ? "query" : has("json") ? "json" : undefined;
  const rest = protocols.find((p) => p === "rest-xml" || p === "rest-json");
  if (rest) return rest;
  const form = `${queryOf(ireq.query)}&${ireq.body.toString("utf8")}`;
  if (has("query") && /(^|&)Action=/.test(form)) return "query";
  return has("json") ? "json" : protocols[0];
}

const notRun = (what: string) => new GatewayError("DEFAULT_5XX", 500, `Stratus does not run ${what}, which this integration calls`);

/**
 * The session API Gateway calls with: the credentials role, which must exist and trust apigateway.amazonaws.com
 * (AWS's execution log otherwise: "API Gateway does not have permission to assume the provided role"; the client
 * gets 500 Internal server error).
 */
function roleIdentity(inv: RestInvocation, roleArn: string | undefined, region: string): Identity {
  const host = inv.rt.url ? new URL(inv.rt.url).host : undefined;
  const base = { region, requestId: inv.req.requestId, sourceIp: inv.req.sourceIp, userAgent: "AmazonAPIGateway", host, invokedBy: "api-gateway" };
  if (roleArn === CALLER_CREDENTIALS) return { ...base, ...callerIdentity(inv) };
  const role = roleArn ? assumedRole(inv.rt, roleArn) : undefined;
  if (!role) {
    inv.rt.logger.debug(`execute-api: API Gateway does not have permission to assume the provided role ${roleArn ?? "(none)"}`);
    throw INTERNAL();
  }
  return { ...base, ...role };
}

/** The caller IAM authorization verified ($context.identity), as the principal the service call is made as. */
function callerIdentity(inv: RestInvocation): { account: string; principal: Principal } {
  const id = inv.context.identity;
  const arn = id.userArn ?? "";
  const m = /^arn:aws[\w-]*:(iam|sts)::(\d{12}):(root|user\/.+|assumed-role\/.+)$/.exec(arn);
  if (!m) {
    inv.rt.logger.debug("execute-api: the integration uses the caller's credentials, but the method request was not IAM-authorized");
    throw INTERNAL();
  }
  const account = m[2]!;
  if (m[3] === "root") return { account, principal: rootPrincipal(account, id.accessKey ?? undefined) };
  const type = m[3]!.startsWith("user/") ? "IAMUser" : "AssumedRole";
  const principal: Principal = { type, accountId: account, arn, principalId: id.caller ?? id.user ?? account, accessKeyId: id.accessKey ?? undefined };
  if (type === "IAMUser") principal.userName = m[3]!.slice(m[3]!.lastIndexOf("/") + 1);
  return { account, principal };
}

/** A Lambda function called with the mapped request as its event; its errorMessage selects the integration response. */
async function lambdaIntegration(inv: RestInvocation, integration: Integration, fnArn: string): Promise<ApiResponse> {
  if (integration.credentials === CALLER_CREDENTIALS) callerIdentity(inv); // only for an IAM-authorized caller
  const ireq = integrationRequest(inv, integration);
  let event: unknown = {};
  const text = ireq.body.toString("utf8");
  if (text.trim() !== "") {
    try {
      event = JSON.parse(text);
    } catch {
      // Lambda takes only JSON: its InvalidRequestContentException reaches the client as a 500.
      inv.rt.logger.debug("execute-api: the integration request is not JSON; Lambda refuses it");
      throw INTERNAL();
    }
  }
  const sourceArn = `arn:aws:execute-api:${inv.owner.region}:${inv.owner.account}:${inv.apiId}/${inv.stage.stageName}/${inv.methodKey}${inv.resource.path}`;
  const invocationType = Object.entries(ireq.headers).find(([k]) => k.toLowerCase() === "x-amz-invocation-type")?.[1];
  if (invocationType?.trim() === "Event") return queueInvocation(inv, integration, fnArn, event, sourceArn);
  const out = await invokeFunction(inv.rt, inv.owner, fnArn, event, sourceArn, {
    credentials: integration.credentials,
    requestId: inv.req.requestId,
    sourceIp: inv.req.sourceIp,
    userAgent: inv.req.userAgent,
  });
  let selector: string | undefined;
  if (out.functionError) {
    try {
      const err = JSON.parse(out.payload.toString("utf8")) as { errorMessage?: unknown };
      selector = typeof err.errorMessage === "string" ? err.errorMessage : "";
    } catch {
      selector = out.payload.toString("utf8");
    }
  }
  return methodResponse(inv, integration, { selector, headers: {}, body: out.payload });
}

/**
 * integration.request.header.X-Amz-Invocation-Type = 'Event': Lambda queues the event and answers 202 at once;
 * the default integration response answers the client, from an empty body.
 */
async function queueInvocation(inv: RestInvocation, integration: Integration, fnArn: string, event: unknown, sourceArn: string): Promise<ApiResponse> {
  if (!integration.credentials && !lambdaPermits(inv.rt, fnArn, "apigateway.amazonaws.com", sourceArn, inv.owner.account)) {
    inv.rt.logger.debug(`execute-api: ${sourceArn}: Invalid permissions on Lambda function ${fnArn}`);
    throw INTERNAL();
  }
  const fn = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):/.exec(fnArn);
  const account = fn?.[2] ?? inv.owner.account;
  const region = fn?.[1] ?? inv.owner.region;
  try {
    const who = { account, region, principal: rootPrincipal(account), requestId: inv.req.requestId, invokedBy: "api-gateway" };
    await inv.rt.call("lambda", "Invoke", { FunctionName: fnArn, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }, who);
  } catch (e) {
    if (!isServiceError(e)) inv.rt.logger.error("execute-api: Lambda invocation failed", e);
    throw INTERNAL();
  }
  return methodResponse(inv, integration, { selector: undefined, headers: {}, body: Buffer.alloc(0) });
}

const lowerHeaders = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function queryOf(query: Record<string, string[]>): string {
  const parts: string[] = [];
  for (const [k, vs] of Object.entries(query)) for (const v of vs) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.join("&");
}

/** The service request the mapped integration request stands for. */
function serviceRequest(model: ServiceModel, protocol: ProtocolName, style: string, target: string, ireq: IntegrationRequest, method: string): HttpRequest {
  const headers = lowerHeaders(ireq.headers);
  if (ireq.contentType && !headers["content-type"]) headers["content-type"] = ireq.contentType;
  let query = queryOf(ireq.query);
  let path = "/";
  if (style === "action") {
    if (protocol === "query") {
      query = [`Action=${encodeURIComponent(target)}`, `Version=${model.metadata.apiVersion}`, query].filter(Boolean).join("&");
    } else if (protocol === "json") {
      headers["x-amz-target"] = `${model.metadata.targetPrefix}.${target}`;
      headers["content-type"] = `application/x-amz-json-${model.metadata.jsonVersion ?? "1.0"}`;
    }
  } else {
    const [p, q] = target.split("?", 2) as [string, string | undefined];
    path = `/${p.replace(/^\/+/, "").replace(/\{([^}+]+)\+?\}/g, (_, n: string) => (ireq.path[n] ?? "").split("/").map(encodeURIComponent).join("/"))}`;
    if (q) query = [q, query].filter(Boolean).join("&");
  }
  let body = ireq.body;
  if (protocol === "query" && body.length && headers["content-type"] && !/^application\/x-www-form-urlencoded/i.test(headers["content-type"])) {
    // The query API reads only a form body: any other (the method request's, passed through) carries no parameters.
    body = Buffer.alloc(0);
    delete headers["content-type"];
  }
  return { method: method.toUpperCase(), path, query, headers, body };
}

async function bodyOf(out: { body: Buffer | string; stream?: Readable }): Promise<Buffer> {
  if (out.stream) {
    const chunks: Buffer[] = [];
    for await (const c of out.stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  }
  return Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body, "utf8");
}

/** A call to an AWS service Stratus runs, answered as its endpoint would (status, headers, body). */
async function serviceIntegration(
  inv: RestInvocation,
  integration: Integration,
  region: string,
  prefix: string,
  style: string,
  target: string,
): Promise<ApiResponse> {
  const found = serviceNamed(prefix);
  if (!found) throw notRun(`the AWS service "${prefix}"`);
  const service = found.name;
  const who = roleIdentity(inv, integration.credentials, region);
  const ireq = integrationRequest(inv, integration);
  const model = inv.rt.model(service);
  const protocol = protocolFor(found.protocols, style, ireq);
  if (!protocol) throw notRun(`${model.metadata.serviceId}'s ${style} requests`);
  const codec = await codecFor(protocol);
  const req = serviceRequest(model, protocol, style, target, ireq, integration.httpMethod ?? "POST");
  const meta = { requestId: inv.req.requestId };
  const wantsJson = (ireq.headers.Accept ?? lowerHeaders(ireq.headers).accept ?? "").toLowerCase().includes("application/json");
  let answer: IntegrationAnswer;
  let operation: string | undefined;
  try {
    operation = codec.resolveOperation(req, model);
    const input = codec.parseInput(req, model, operation);
    // The query API's path names the queue (SQS: POST /<account>/<queue>), where the form does not.
    const inputShape = model.operations[operation]?.input?.shape;
    if (protocol === "query" && req.path !== "/" && input.QueueUrl === undefined && inputShape && model.shapes[inputShape]?.members?.QueueUrl) {
      input.QueueUrl = `${inv.rt.url ?? "http://localhost:4566"}${req.path}`;
    }
    const output = await inv.rt.call(service, operation, input, who);
    if (protocol === "query" && wantsJson) {
      // The query API's JSON form (Accept: application/json): {"<Op>Response": {"<Op>Result": …, "ResponseMetadata": …}},
      // the result's members all there, null when the output has none.
      const members = Object.keys(model.shapes[model.operations[operation]?.output?.shape ?? ""]?.members ?? {});
      const result = Object.fromEntries(members.map((m) => [m, output[m] ?? null]));
      const doc = { [`${operation}Response`]: { [`${operation}Result`]: result, ResponseMetadata: { RequestId: meta.requestId } } };
      answer = { selector: "200", headers: { "Content-Type": ["application/json"] }, body: Buffer.from(JSON.stringify(doc)) };
    } else {
      const res = codec.serializeOutput(output, model, operation, meta);
      answer = { selector: String(res.status), headers: asLists(res.headers), body: await bodyOf(res) };
    }
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    if (!isServiceError(e)) {
      inv.rt.logger.error("execute-api: AWS integration failed", e);
      throw INTERNAL();
    }
    if (e.code === "NotImplemented") throw new GatewayError("DEFAULT_5XX", 500, e.message);
    const res = codec.serializeError(e as ServiceError, model, operation, meta);
    answer = { selector: String(res.status), headers: asLists(res.headers), body: await bodyOf(res) };
  }
  return methodResponse(inv, integration, answer);
}

const asLists = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]]));

export async function awsIntegration(inv: RestInvocation, integration: Integration): Promise<ApiResponse> {
  const uri = withStageVariables(integration.uri ?? "", inv.stageVariables);
  const fnArn = functionArnOf(uri);
  if (fnArn) return lambdaIntegration(inv, integration, fnArn);
  const m = AWS_URI.exec(uri);
  if (!m) {
    inv.rt.logger.debug(`execute-api: not an AWS integration URI: ${uri}`);
    throw INTERNAL();
  }
  const [, region, subdomain, prefix, style, target] = m as unknown as [string, string, string | undefined, string, string, string];
  // A bucket named in the subdomain is the path's first segment in the path-style request Stratus reads.
  const path = prefix === "s3" && subdomain && style === "path" ? `${subdomain}/${target}` : target;
  return serviceIntegration(inv, integration, region, prefix, style, path);
}
