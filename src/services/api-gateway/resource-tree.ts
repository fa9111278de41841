// The resource tree's index (state table resourceChildren): a parent's children by path part, so CreateResource,
// UpdateResource and DeleteResource touch the parent's children and the subtree they move or delete, never every
// resource of the API. Every writer that adds, moves or removes a resource keeps it in the same transaction
// (resources.ts, restapis.ts create/clone/delete, openapi/apply.ts); writes that only change a resource's methods
// leave it be. An API whose index is not marked complete (made before the index existed) is indexed on first use.
import { deleteOfApi, ofApi } from "./common.js";
import type { ApiGatewayTables, ResourceRec } from "./state.js";

const childKey = (apiId: string, parentId: string, pathPart: string) => `${apiId}/${parentId}/${pathPart}`;

/** Makes sure the API's index is complete (indexing its resources once if it is not). */
function indexed(t: ApiGatewayTables, apiId: string): void {
  if (t.resourceChildren.has(apiId)) return;
  for (const r of ofApi(t.resources, apiId)) link(t, apiId, r);
  t.resourceChildren.put(apiId, "");
}

/** Records `r` under its parent (after writing it). */
export function link(t: ApiGatewayTables, apiId: string, r: ResourceRec): void {
  if (r.parentId && r.pathPart !== undefined) t.resourceChildren.put(childKey(apiId, r.parentId, r.pathPart), r.id);
}

/** Removes `r` (as it was) from under its parent (when deleting or moving it). */
export function unlink(t: ApiGatewayTables, apiId: string, r: ResourceRec): void {
  if (r.parentId && r.pathPart !== undefined) t.resourceChildren.delete(childKey(apiId, r.parentId, r.pathPart));
}

/** A new API's index: complete once `resources` (all of the API's) are linked. */
export function indexAll(t: ApiGatewayTables, apiId: string, resources: Iterable<ResourceRec>): void {
  deleteOfApi(t.resourceChildren, apiId);
  for (const r of resources) link(t, apiId, r);
  t.resourceChildren.put(apiId, "");
}

/** Drops the API's index (DeleteRestApi). */
export function dropIndex(t: ApiGatewayTables, apiId: string): void {
  deleteOfApi(t.resourceChildren, apiId);
  t.resourceChildren.delete(apiId);
}

/** The id of the parent's child with this path part. */
export function childNamed(t: ApiGatewayTables, apiId: string, parentId: string, pathPart: string): string | undefined {
  indexed(t, apiId);
  return t.resourceChildren.get(childKey(apiId, parentId, pathPart));
}

/** The parent's children with a variable path part ("{…}"), but `except`: at most one in a valid tree. */
export function variableChild(t: ApiGatewayTables, apiId: string, parentId: string, except?: string): { id: string; pathPart: string } | undefined {
  indexed(t, apiId);
  const prefix = `${apiId}/${parentId}/`;
  const found = t.resourceChildren.list({ prefix: `${prefix}{`, limit: 2 }).find((e) => e.value !== except);
  return found && { id: found.value, pathPart: found.key.slice(prefix.length) };
}

/** The resources below `id` (not itself), each after its parent. */
export function below(t: ApiGatewayTables, apiId: string, id: string): ResourceRec[] {
  indexed(t, apiId);
  const out: ResourceRec[] = [];
  const queue = [id];
  for (let i = 0; i < queue.length; i++)
    for (const e of t.resourceChildren.list({ prefix: `${apiId}/${queue[i]}/` })) {
      const r = t.resources.get(`${apiId}/${e.value}`);
      if (!r) continue;
      out.push(r);
      queue.push(r.id);
    }
  return out;
}
