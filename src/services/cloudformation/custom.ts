// Custom resources (`Custom::<Name>` and AWS::CloudFormation::CustomResource), with AWS's provider protocol
// (user guide, "CloudFormation custom resource request and response reference"): a request JSON — RequestType,
// ResponseURL, StackId, RequestId, ResourceType, LogicalResourceId, PhysicalResourceId (Update, Delete),
// ResourceProperties (with ServiceToken; every scalar as a string, as CloudFormation passes them),
// OldResourceProperties (Update), ServiceTimeout — goes to the ServiceToken: a Lambda function, invoked
// asynchronously (Event), or an SNS topic, published as the message. The provider answers by PUTting a JSON
// response (Status, Reason, PhysicalResourceId, StackId, RequestId, LogicalResourceId, NoEcho, Data) to the
// ResponseURL, a presigned URL Stratus serves (presign.ts, responses.ts). The resource waits for it; the request
// is recorded first, so a server restarted while a delete waits keeps waiting for the same request (or times out).
// Data's keys are the resource's Fn::GetAtt attributes; a new PhysicalResourceId on Update replaces the resource
// (update.ts deletes the old one in the cleanup phase).
import { createHash, randomUUID } from "node:crypto";
import type { ResourceProvider, ResourceRequest, ResourceResult } from "../../core/resources.js";
import { ResourceFailure } from "../../core/resources.js";
import { publicBaseUrl, type ServiceHost } from "../../core/service.js";
import type { Engine } from "./engine.js";
import { type CustomRequestRec, responseUrl, signalState } from "./presign.js";

/** AWS's default and maximum wait for a response: one hour (ServiceTimeout, 1–3600 seconds). */
const DEFAULT_TIMEOUT_SECONDS = 3600;
/** A response body over 4096 bytes fails the resource (AWS's limit, "Response object is too long."). */
const MAX_RESPONSE = 4096;
const POLL_MS = 100;

const hostOf = (req: ResourceRequest): ServiceHost => req.ctx.instance<Engine>().host;

/** The base URL a provider can reach this server on: STRATUS_PUBLIC_URL, else the URL it listens on. */
export function baseUrl(host: ServiceHost): string {
  return publicBaseUrl(host) ?? "http://localhost:4566";
}

// A closing server stops polling; a wait in progress then never settles, so nothing is written after the store
// closes, and the request stays recorded for the next start.
const closing = new WeakMap<ServiceHost, { closed: boolean }>();
function closingOf(host: ServiceHost): { closed: boolean } {
  let c = closing.get(host);
  if (!c) {
    const state = { closed: false };
    closing.set(host, (c = state));
    host.onClosing(() => {
      state.closed = true;
    });
  }
  return c;
}

/**
 * Waits until `check` returns a value, polling the store; never settles once the server is closing. A request's
 * `signal`, once aborted (the stack's create timed out), fails the wait: "Resource creation cancelled".
 */
export function waitFor<T>(on: ServiceHost | { host: ServiceHost; signal?: AbortSignal }, check: () => T | undefined): Promise<T> {
  const { host, signal } = "host" in on ? on : { host: on, signal: undefined };
  const c = closingOf(host);
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (c.closed) return;
      if (signal?.aborted) return reject(new ResourceFailure("Resource creation cancelled"));
      try {
        const v = check();
        if (v !== undefined) return resolve(v);
      } catch (e) {
        return reject(e);
      }
      setTimeout(poll, POLL_MS).unref();
    };
    poll();
  });
}

// Every scalar in ResourceProperties reaches the provider as a string (numbers and booleans included).
function stringify(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stringify);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stringify(x)]));
  return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
}

function serviceTimeout(properties: Record<string, unknown>): number {
  const v = properties.ServiceTimeout;
  if (v === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const n = Number(v);
  // unverified wording
  if (!Number.isInteger(n) || n < 1 || n > 3600) throw new ResourceFailure(`ServiceTimeout must be an integer between 1 and 3600 seconds (got ${String(v)}).`);
  return n;
}

interface Answer {
  requestId: string;
  physicalId: string;
  data: Record<string, unknown>;
  noEcho: boolean;
}

/** Sends one request to the provider and waits for its response. */
async function send(
  req: ResourceRequest,
  requestType: CustomRequestRec["requestType"],
  resourceType: string,
  physicalId?: string,
  old?: Record<string, unknown>,
): Promise<Answer> {
  const host = hostOf(req);
  const tables = signalState.of(req.ctx);
  const token = req.properties.ServiceToken;
  const timeout = serviceTimeout(req.properties);
  const prefix = `${req.stackId}\u0000${req.logicalId}\u0000`;
  // A request recorded before a restart, the same one and still in time, is waited for again (not resent).
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([req.properties, old ?? null]))
    .digest("hex");
  let rec: CustomRequestRec | undefined;
  for (const { key, value } of tables.customRequests.list({ prefix })) {
    const same = value.requestType === requestType && value.physicalId === physicalId && value.fingerprint === fingerprint;
    if (!rec && same && value.response === undefined && value.deadline > host.clock.now()) rec = value;
    else tables.customRequests.delete(key);
  }
  if (!rec) {
    const deadline = host.clock.now() + timeout * 1000;
    rec = { requestId: randomUUID(), stackId: req.stackId, logicalId: req.logicalId, requestType, physicalId, fingerprint, deadline };
    const event: Record<string, unknown> = {
      RequestType: requestType,
      ServiceToken: token,
      ResponseURL: responseUrl(host, baseUrl(host), host.clock.now(), req.stackId, req.logicalId, rec.requestId),
      StackId: req.stackId,
      RequestId: rec.requestId,
      LogicalResourceId: req.logicalId,
      ...(physicalId === undefined ? {} : { PhysicalResourceId: physicalId }),
      ResourceType: resourceType,
      ResourceProperties: stringify(req.properties),
      ...(old ? { OldResourceProperties: stringify(old) } : {}),
      ...(req.properties.ServiceTimeout === undefined ? {} : { ServiceTimeout: timeout }),
    };
    tables.customRequests.put(prefix + rec.requestId, rec);
    try {
      await deliver(req, String(token), event);
    } catch (e) {
      // Never sent: nothing to wait for after a restart either.
      tables.customRequests.delete(prefix + rec.requestId);
      throw e;
    }
  }
  const requestId = rec.requestId;
  const key = prefix + requestId;
  const raw = await waitFor({ host, signal: req.signal }, () => {
    const now = tables.customRequests.get(key);
    if (now?.response !== undefined) return now.response;
    if (!now || host.clock.now() >= (now?.deadline ?? 0)) return null;
    return undefined;
  });
  tables.customRequests.delete(key);
  if (raw === null) {
    // AWS's reason when no response arrives in time (as quoted from stack events in public issues).
    throw new ResourceFailure(
      `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.`,
    );
  }
  return interpret(raw, requestId);
}

/** The response as CloudFormation reads it; its failures worded as AWS's stack events word them. */
function interpret(raw: string, requestId: string): Answer {
  if (Buffer.byteLength(raw) > MAX_RESPONSE) throw new ResourceFailure("Response object is too long.");
  let r: Record<string, unknown> | undefined;
  try {
    r = JSON.parse(raw) as Record<string, unknown>;
  } catch {}
  // unverified wording
  if (!r || typeof r !== "object" || Array.isArray(r)) throw new ResourceFailure("Response is not valid JSON.");
  if (r.Status === "FAILED") {
    // As AWS's stack events read: "Received response status [FAILED] from custom resource. Message returned: … (RequestId: …)".
    // The physical id it reports is what the rollback's Delete names.
    throw new ResourceFailure(
      `Received response status [FAILED] from custom resource. Message returned: ${String(r.Reason ?? "")} (RequestId: ${requestId})`,
      typeof r.PhysicalResourceId === "string" && r.PhysicalResourceId ? r.PhysicalResourceId : undefined,
    );
  }
  // unverified wording
  if (r.Status !== "SUCCESS") throw new ResourceFailure(`Invalid response status [${String(r.Status)}] from custom resource (RequestId: ${requestId})`);
  // "Invalid PhysicalResourceId", as AWS's stack events read for a response without one.
  if (typeof r.PhysicalResourceId !== "string" || !r.PhysicalResourceId) throw new ResourceFailure("Invalid PhysicalResourceId");
  const data = r.Data && typeof r.Data === "object" && !Array.isArray(r.Data) ? (r.Data as Record<string, unknown>) : {};
  return { requestId, physicalId: r.PhysicalResourceId, data, noEcho: r.NoEcho === true || r.NoEcho === "true" };
}

/** Hands the request to the ServiceToken: a Lambda function (Event invocation) or an SNS topic. */
async function deliver(req: ResourceRequest, token: string, event: Record<string, unknown>): Promise<void> {
  const payload = JSON.stringify(event);
  try {
    if (/^arn:[^:]+:lambda:/.test(token)) {
      await req.ctx.client("lambda").invoke({ FunctionName: token, InvocationType: "Event", Payload: Buffer.from(payload) });
      return;
    }
    if (/^arn:[^:]+:sns:/.test(token)) {
      // The subject AWS gives these messages (as recorded SNS notifications show).
      await req.ctx.client("sns").publish({ TopicArn: token, Subject: "AWS CloudFormation custom resource request", Message: payload });
      return;
    }
  } catch (e) {
    // unverified wording
    throw new ResourceFailure(`Failed to send the request to the ServiceToken ${token}: ${e instanceof Error ? e.message : String(e)}`);
  }
  // unverified wording
  throw new ResourceFailure(`Invalid ServiceToken ${token}: it must be the ARN of a Lambda function or an SNS topic.`);
}

const result = (req: ResourceRequest, a: Answer): ResourceResult => ({
  physicalId: a.physicalId,
  attributes: a.data,
  noEcho: a.noEcho || undefined,
  // As AWS's stack events read for Fn::GetAtt of a key the response's Data lacks.
  attributeError: `CustomResource attribute error: Vendor response doesn't contain {attr} attribute in object ${req.stackId}|${req.logicalId}|${a.requestId}`,
});

/** One provider for every custom type: the type name the template gave reaches the provider as ResourceType. */
function customResource(): ResourceProvider {
  return {
    async create(req) {
      return result(req, await send(req, "Create", req.type ?? "AWS::CloudFormation::CustomResource"));
    },
    replacesItself: true,
    async update(req) {
      // As AWS's stack events read when an update changes a custom resource's ServiceToken.
      if (String(req.properties.ServiceToken) !== String(req.previous.ServiceToken)) throw new ResourceFailure("Modifying service token is not allowed.");
      return result(req, await send(req, "Update", req.type ?? "AWS::CloudFormation::CustomResource", req.physicalId, req.previous));
    },
    async delete(req) {
      await send(req, "Delete", req.type ?? "AWS::CloudFormation::CustomResource", req.physicalId);
    },
  };
}

export const customProviders = { "AWS::CloudFormation::CustomResource": customResource() };
