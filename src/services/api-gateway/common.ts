// What the REST control plane's handlers share: finding an API and its resources with AWS's NotFound wording, and
// GetX(s) paging by position/limit (API Gateway's opaque `position` token, 25 items by default, at most 500).
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { BadRequestException, NotFoundException } from "./api.generated.js";
import { tables, type ResourceRec, type RestApiRec } from "./state.js";

// "Invalid API identifier specified 111111111111:abcde0": AWS's GetRestApi, UpdateRestApi, GetModels,
// GetRequestValidators, GetGatewayResponses… on an unknown API (recorded in LocalStack's test_apigateway_api snapshots).
export const apiNotFound = (ctx: HandlerContext, apiId: string): Error => new NotFoundException(`Invalid API identifier specified ${ctx.account}:${apiId}`);
// "Invalid Resource identifier specified": also what the resource-level operations answer for an unknown API.
export const resourceNotFound = (): Error => new NotFoundException("Invalid Resource identifier specified");
export const methodNotFound = (): Error => new NotFoundException("Invalid Method identifier specified");
export const integrationNotFound = (): Error => new NotFoundException("Invalid Integration identifier specified");
export const statusNotFound = (): Error => new NotFoundException("Invalid Response status code specified");
export const stageNotFound = (): Error => new NotFoundException("Invalid Stage identifier specified");
export const deploymentNotFound = (): Error => new NotFoundException("Invalid Deployment identifier specified");

/** The caller's API, or AWS's NotFound (`notFound` for the operations that word it otherwise). */
export function requireApi(ctx: HandlerContext, apiId: string, notFound: () => Error = () => apiNotFound(ctx, apiId)): RestApiRec {
  const api = tables(ctx).apis.get(apiId);
  if (!api) throw notFound();
  return api;
}

/** A resource of the caller's API; an unknown API is an unknown resource, as AWS answers. */
export function requireResource(ctx: HandlerContext, apiId: string, resourceId: string): ResourceRec {
  const t = tables(ctx);
  const res = t.apis.has(apiId) ? t.resources.get(`${apiId}/${resourceId}`) : undefined;
  if (!res) throw resourceNotFound();
  return res;
}

/** The records of one API in a "<apiId>/<id>" table, in key order. */
export const ofApi = <T>(table: { list(o: { prefix: string }): { key: string; value: T }[] }, apiId: string): T[] =>
  table.list({ prefix: `${apiId}/` }).map((e) => e.value);

/** Deletes every record of one API from a "<apiId>/<id>" table. */
export function deleteOfApi(table: { list(o: { prefix: string }): { key: string }[]; delete(k: string): boolean }, apiId: string): void {
  for (const { key } of table.list({ prefix: `${apiId}/` })) table.delete(key);
}

/** One page of a GetX(s) answer: `items` in key order, after `position`, at most `limit` (25 by default, max 500). */
export function page<T>(
  operation: string,
  items: T[],
  key: (t: T) => string,
  input: { position?: string; limit?: number },
  bind?: string,
): { items: T[]; position?: string } {
  const limit = input.limit ?? 25;
  // unverified wording
  if (limit < 1 || limit > 500) throw new BadRequestException("Invalid limit, must be between 1 and 500");
  const { items: out, next } = pageByKey(items, key, {
    operation,
    token: input.position,
    max: limit,
    invalid: () => new BadRequestException("Invalid position parameter"), // unverified wording
    bind,
  });
  return { items: out, ...(next ? { position: next } : {}) };
}

/** Drops undefined members (answers carry only what is set, as AWS's do). */
export function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** A method of a resource (its verb upper-cased), or AWS's NotFound for the resource or the method. */
export function requireMethod(ctx: HandlerContext, input: { restApiId: string; resourceId: string; httpMethod: string }) {
  const res = requireResource(ctx, input.restApiId, input.resourceId);
  const verb = input.httpMethod.toUpperCase();
  const method = res.resourceMethods[verb];
  if (!method) throw methodNotFound();
  return { res, method, verb };
}
