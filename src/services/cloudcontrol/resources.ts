// Cloud Control's operations. CreateResource, UpdateResource and DeleteResource store a request and answer its
// ProgressEvent IN_PROGRESS at once; the worker (worker.ts) runs it. GetResource and ListResources read through the
// provider's read and list. Identifier: the resource's physical id, which for these types is its primary
// identifier (the registry schema's primaryIdentifier: a queue's URL, a parameter's name, a topic's ARN…).
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import { fingerprint, pageByKey } from "../../core/paging.js";
import { transaction } from "../../core/state.js";
import { validateProperties } from "../cloudformation/internal.js";
import {
  ClientTokenConflictException,
  type CloudcontrolApi,
  ConcurrentModificationException,
  InvalidRequestException,
  type Operation,
  type ProgressEvent,
  RequestTokenNotFoundException,
  ResourceNotFoundException,
} from "./api.generated.js";
import { ccState, type RequestRec } from "./state.js";
import { handlerErrorOf, notFound, type Worker } from "./worker.js";

const worker = (ctx: HandlerContext) => ctx.instance<Worker>();

/** A request's ProgressEvent, as every operation answers it. */
export function progressEvent(r: RequestRec): ProgressEvent {
  return {
    TypeName: r.typeName,
    Identifier: r.identifier,
    RequestToken: r.token,
    Operation: r.operation,
    OperationStatus: r.status,
    EventTime: new Date(r.eventTime),
    ResourceModel: r.resourceModel,
    StatusMessage: r.statusMessage,
    ErrorCode: r.errorCode,
  };
}

// Not in Cloud Control's model, but what AWS answers for a desired state its schema refuses (the JSON protocol's
// common ValidationException); "Model validation failed (…)" as the handler framework words it (unverified).
const validationError = (message: string) => new ServiceError("ValidationException", message, 400);

function parseModel(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw validationError(`${what} is not valid JSON`); // unverified wording
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw validationError(`${what} must be a JSON object`); // unverified wording
  return v as Record<string, unknown>;
}

/** Stores a request (or finds the one its client token already started) and starts it. */
function begin(
  ctx: HandlerContext,
  op: Operation,
  input: { TypeName: string; ClientToken?: string; Identifier?: string },
  payload: string | undefined,
): { ProgressEvent: ProgressEvent } {
  const t = ccState.of(ctx);
  const print = fingerprint([input.TypeName, input.Identifier, payload]);
  const key = input.ClientToken ? `${op}\u0000${input.ClientToken}` : undefined;
  const seen = key ? t.clientTokens.get(key) : undefined;
  if (seen) {
    // The same request again answers the same ProgressEvent; another request with the token is a conflict.
    const prior = t.requests.get(seen.token);
    if (seen.fingerprint === print && prior) return { ProgressEvent: progressEvent(prior) };
    throw new ClientTokenConflictException(`The client token ${input.ClientToken} has already been used for a different request.`); // unverified wording
  }
  const r: RequestRec = {
    token: uuid4(),
    typeName: input.TypeName,
    operation: op,
    status: "IN_PROGRESS",
    identifier: input.Identifier,
    created: ctx.now(),
    eventTime: ctx.now(),
    input: payload,
    clientToken: input.ClientToken,
    principal: ctx.principal,
    host: ctx.host,
  };
  transaction(ctx, () => {
    t.requests.put(r.token, r);
    if (key) t.clientTokens.put(key, { token: r.token, fingerprint: print });
  });
  worker(ctx).start(ctx.account, ctx.region, r.token);
  return { ProgressEvent: progressEvent(r) };
}

/** GetResource's and ListResources' failure of a read: AWS's "<Type> Handler returned status FAILED: …". */
function readFailure(type: string, e: unknown): ServiceError {
  const err = handlerErrorOf(e, type);
  // As AWS answers it, e.g. "AWS::ApplicationAutoScaling::ScalingPolicy Handler returned status FAILED: null
  // (HandlerErrorCode: NotFound, RequestToken: …)" (aws-cloudformation/cloudformation-coverage-roadmap#2090).
  const message = `${type} Handler returned status FAILED: ${err.message} (HandlerErrorCode: ${err.code}, RequestToken: ${uuid4()})`;
  if (err.code === "NotFound") return new ResourceNotFoundException(message);
  if (err.code === "InvalidRequest") return new InvalidRequestException(message);
  return new ServiceError(
    `${err.code === "InternalFailure" ? "HandlerInternalFailure" : err.code}Exception`,
    message,
    err.code === "InternalFailure" ? 502 : 400,
  );
}

async function describe(ctx: HandlerContext, type: string, id: string): Promise<string> {
  const provider = await worker(ctx).provider(type, "READ");
  let model: Record<string, unknown> | undefined;
  try {
    model = await provider.read!({ ctx, physicalId: id });
  } catch (e) {
    throw readFailure(type, e);
  }
  if (!model) throw readFailure(type, notFound(type, id));
  return JSON.stringify(model);
}

export const resources = {
  async createResource(input, ctx) {
    await worker(ctx).provider(input.TypeName, "CREATE");
    const desired = parseModel(input.DesiredState, "DesiredState");
    const checked = validateProperties(input.TypeName.split("::")[2] ?? "Resource", input.TypeName, desired);
    if (checked.problems.length) throw validationError(`Model validation failed (${checked.problems.join(", ")})`);
    return begin(ctx, "CREATE", input, JSON.stringify(desired));
  },

  async updateResource(input, ctx) {
    await worker(ctx).provider(input.TypeName, "UPDATE");
    let patch: unknown;
    try {
      patch = JSON.parse(input.PatchDocument);
    } catch {
      throw validationError("PatchDocument is not valid JSON"); // unverified wording
    }
    if (!Array.isArray(patch)) throw validationError("PatchDocument must be a JSON array of patch operations"); // unverified wording
    return begin(ctx, "UPDATE", input, input.PatchDocument);
  },

  async deleteResource(input, ctx) {
    await worker(ctx).provider(input.TypeName, "DELETE");
    return begin(ctx, "DELETE", input, undefined);
  },

  async getResource(input, ctx) {
    return {
      TypeName: input.TypeName,
      ResourceDescription: { Identifier: input.Identifier, Properties: await describe(ctx, input.TypeName, input.Identifier) },
    };
  },

  async listResources(input, ctx) {
    const provider = await worker(ctx).provider(input.TypeName, "LIST");
    let ids: string[];
    try {
      ids = [...new Set(await provider.list!(ctx))].sort();
    } catch (e) {
      throw readFailure(input.TypeName, e);
    }
    const page = pageByKey(ids, (id) => id, {
      operation: "ListResources",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      bind: fingerprint([ctx.account, ctx.region, input.TypeName]),
      invalid: () => new InvalidRequestException("Invalid NextToken"), // unverified wording
    });
    const descriptions = [];
    for (const id of page.items) {
      let model: Record<string, unknown> | undefined;
      try {
        model = await provider.read!({ ctx, physicalId: id });
      } catch (e) {
        // One deleted between the list and its read is left out; other failures are the call's.
        if (handlerErrorOf(e, input.TypeName).code === "NotFound") continue;
        throw readFailure(input.TypeName, e);
      }
      if (model) descriptions.push({ Identifier: id, Properties: JSON.stringify(model) });
    }
    return { TypeName: input.TypeName, ResourceDescriptions: descriptions, NextToken: page.next };
  },

  getResourceRequestStatus(input, ctx) {
    const r = ccState.of(ctx).requests.get(input.RequestToken);
    // Wording: unverified.
    if (!r) throw new RequestTokenNotFoundException(`Request with token ${input.RequestToken} was not found`);
    return { ProgressEvent: progressEvent(r) };
  },

  cancelResourceRequest(input, ctx) {
    const t = ccState.of(ctx);
    const r = t.requests.get(input.RequestToken);
    if (!r) throw new RequestTokenNotFoundException(`Request with token ${input.RequestToken} was not found`); // unverified wording
    // Only PENDING and IN_PROGRESS requests can be cancelled (AWS's CancelResourceRequest documentation).
    if (r.status !== "PENDING" && r.status !== "IN_PROGRESS" && r.status !== "CANCEL_IN_PROGRESS")
      throw new ConcurrentModificationException(`Request with token ${r.token} cannot be cancelled: it is ${r.status}`); // unverified wording
    // The running handler call finishes (what it did stays); the request then ends CANCEL_COMPLETE.
    Object.assign(r, { status: "CANCEL_IN_PROGRESS", cancelled: true, eventTime: ctx.now() });
    t.requests.put(r.token, r);
    return { ProgressEvent: progressEvent(r) };
  },

  listResourceRequests(input, ctx) {
    const f = input.ResourceRequestStatusFilter;
    const all = ccState
      .of(ctx)
      .requests.list()
      .map((e) => e.value)
      .filter(
        (r) => (!f?.Operations?.length || f.Operations.includes(r.operation)) && (!f?.OperationStatuses?.length || f.OperationStatuses.includes(r.status)),
      )
      // Newest first; the key (creation time, token) orders the pages.
      .map((r) => ({ r, key: `${String(9e15 - r.created).padStart(16, "0")}\u0000${r.token}` }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = pageByKey(all, (x) => x.key, {
      operation: "ListResourceRequests",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      bind: fingerprint([ctx.account, ctx.region, f?.Operations, f?.OperationStatuses]),
      invalid: () => new InvalidRequestException("Invalid NextToken"), // unverified wording
    });
    return { ResourceRequestStatusSummaries: page.items.map((x) => progressEvent(x.r)), NextToken: page.next };
  },
} satisfies Partial<CloudcontrolApi>;
