// Resources and methods: CreateResource with AWS's rules for path parts (one variable part per parent, nothing
// below a greedy {proxy+}), GetResource(s) with embed=methods, UpdateResource (re-parenting and renaming move the
// subtree's paths), DeleteResource with everything below it; PutMethod/GetMethod/UpdateMethod/DeleteMethod. Method
// responses, integrations and integration responses are in integrations.ts. Wording: AWS's, as recorded in
// LocalStack's test_apigateway_api snapshots, unless marked.
import type { HandlerContext } from "../../core/context.js";
import { BadRequestException, ConflictException } from "./api.generated.js";
import type { ApiGatewayApi, Method, PatchOperation, PutMethodRequest, Resource } from "./api.generated.js";
import { defined, ofApi, page, requireApi, requireMethod, requireResource, resourceNotFound } from "./common.js";
import { integrations } from "./integrations.js";
import { applyPatch, decodePath, invalidPatchOp, type PatchSpec, unsupportedPatchOp } from "./patch.js";
import { below, childNamed, link, unlink, variableChild } from "./resource-tree.js";
import { newId, tables, transaction, type ResourceRec } from "./state.js";

export const HTTP_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"];

// moto's wording of AWS's path-part rule (unverified against AWS).
const PATH_PART = /^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._:-]+)$/;
const isVariable = (part: string | undefined) => !!part && part.startsWith("{") && part.endsWith("}");
const isGreedy = (part: string | undefined) => !!part && /^\{.+\+\}$/.test(part);

/** A resource as AWS answers it: its methods in full with embed=methods, else each as {} (the verbs alone). */
export function resourceOut(r: ResourceRec, embed: boolean): Resource {
  const methods = Object.keys(r.resourceMethods);
  return defined({
    id: r.id,
    parentId: r.parentId,
    pathPart: r.pathPart,
    path: r.path,
    resourceMethods: methods.length ? Object.fromEntries(methods.map((m) => [m, embed ? methodOut(r.resourceMethods[m]) : {}])) : undefined,
  });
}

/** A method as GetMethod answers it (empty maps left out, as AWS does). */
export function methodOut(m: Method): Method {
  const out = structuredClone(m);
  if (out.methodResponses && !Object.keys(out.methodResponses).length) delete out.methodResponses;
  if (out.requestParameters && !Object.keys(out.requestParameters).length) delete out.requestParameters;
  if (out.requestModels && !Object.keys(out.requestModels).length) delete out.requestModels;
  return out;
}

const childPath = (parentPath: string, part: string) => (parentPath === "/" ? `/${part}` : `${parentPath}/${part}`);

function checkPathPart(ctx: HandlerContext, apiId: string, part: string, parent: ResourceRec, self?: string): void {
  if (!PATH_PART.test(part))
    throw new BadRequestException(
      "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
    );
  if (isGreedy(parent.pathPart)) throw new BadRequestException(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`);
  const t = tables(ctx);
  const same = childNamed(t, apiId, parent.id, part);
  if (same !== undefined && same !== self) throw new ConflictException(`Another resource with the same parent already has this name: ${part}`);
  const variable = isVariable(part) ? variableChild(t, apiId, parent.id, self) : undefined;
  if (variable) throw new BadRequestException(`A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`);
}

function createResource(input: { restApiId: string; parentId: string; pathPart: string }, ctx: HandlerContext): Resource {
  const t = tables(ctx);
  return transaction(ctx, () => {
    const parent = requireResource(ctx, input.restApiId, input.parentId);
    checkPathPart(ctx, input.restApiId, input.pathPart, parent);
    const rec: ResourceRec = { id: newId(6), parentId: parent.id, pathPart: input.pathPart, path: childPath(parent.path, input.pathPart), resourceMethods: {} };
    t.resources.put(`${input.restApiId}/${rec.id}`, rec);
    link(t, input.restApiId, rec);
    return resourceOut(rec, false);
  });
}

function updateResource(input: { restApiId: string; resourceId: string; patchOperations?: PatchOperation[] }, ctx: HandlerContext): Resource {
  const res = requireResource(ctx, input.restApiId, input.resourceId);
  const t = tables(ctx);
  let parentId = res.parentId;
  let pathPart = res.pathPart;
  for (const op of input.patchOperations ?? []) {
    if (op.path !== "/parentId" && op.path !== "/pathPart")
      throw new BadRequestException(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Must be one of: [/parentId, /pathPart]`);
    if (op.op !== "replace") throw unsupportedPatchOp(op);
    if (res.path === "/") throw new BadRequestException(`Root resource cannot update its ${op.path.slice(1)}.`);
    if (op.path === "/parentId") parentId = op.value;
    else pathPart = op.value;
  }
  if (parentId === res.parentId && pathPart === res.pathPart) return resourceOut(res, false);
  const apiId = input.restApiId;
  return transaction(ctx, () => {
    const parent = parentId ? t.resources.get(`${apiId}/${parentId}`) : undefined;
    if (!parent) throw resourceNotFound();
    // The new parent may not be the resource itself or below it: walk up from the parent (the tree's depth).
    for (let up: ResourceRec | undefined = parent; up; up = up.parentId ? t.resources.get(`${apiId}/${up.parentId}`) : undefined)
      if (up.id === res.id) throw new BadRequestException("Resources cannot be cyclical.");
    checkPathPart(ctx, apiId, pathPart ?? "", parent, res.id);
    const moved: ResourceRec = { ...res, parentId: parent.id, pathPart, path: childPath(parent.path, pathPart ?? "") };
    const subtree = below(t, apiId, res.id);
    unlink(t, apiId, res);
    t.resources.put(`${apiId}/${res.id}`, moved);
    link(t, apiId, moved);
    // Every resource below takes the new path (their parents and path parts stay).
    const paths = new Map([[res.id, moved.path]]);
    for (const r of subtree) {
      const path = childPath(paths.get(r.parentId as string) as string, r.pathPart as string);
      paths.set(r.id, path);
      t.resources.put(`${apiId}/${r.id}`, { ...r, path });
    }
    return resourceOut(moved, false);
  });
}

const invalidAuthorizer = () =>
  new BadRequestException("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.");

/** The references a method holds must exist in its API: authorizer, request validator, request models. */
function checkMethod(ctx: HandlerContext, apiId: string, m: Method): void {
  const t = tables(ctx);
  const type = m.authorizationType;
  if (type === "CUSTOM" || type === "COGNITO_USER_POOLS") {
    const auth = m.authorizerId ? t.authorizers.get(`${apiId}/${m.authorizerId}`) : undefined;
    if (!auth || (type === "COGNITO_USER_POOLS") !== (auth.type === "COGNITO_USER_POOLS")) throw invalidAuthorizer();
  }
  if (m.requestValidatorId && !t.validators.has(`${apiId}/${m.requestValidatorId}`))
    throw new BadRequestException("Invalid Request Validator identifier specified");
  for (const model of Object.values(m.requestModels ?? {}))
    if (!t.models.has(`${apiId}/${model}`)) throw new BadRequestException(`Invalid model identifier specified: ${model}`);
  const names = Object.keys(m.requestParameters ?? {}).map((p) =>
    p.replace(/^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\./, ""),
  );
  for (const p of Object.keys(m.requestParameters ?? {}))
    if (!/^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.[^.]/.test(p))
      throw new BadRequestException(
        `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${p}]`,
      );
  if (new Set(names).size !== names.length) throw new BadRequestException("Parameter names must be unique across querystring, header and path");
}

function putMethod(input: PutMethodRequest, ctx: HandlerContext): Method {
  const res = requireResource(ctx, input.restApiId, input.resourceId);
  const verb = input.httpMethod.toUpperCase();
  if (!HTTP_METHODS.includes(verb)) throw new BadRequestException("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY");
  const method: Method = defined({
    httpMethod: verb,
    authorizationType: input.authorizationType,
    authorizerId: input.authorizerId,
    apiKeyRequired: input.apiKeyRequired ?? false,
    requestValidatorId: input.requestValidatorId,
    operationName: input.operationName,
    requestParameters: input.requestParameters,
    requestModels: input.requestModels,
    authorizationScopes: input.authorizationScopes?.length ? input.authorizationScopes : undefined,
  });
  // AWS's answer to a second PutMethod (UpdateMethod changes one; serverless/serverless#7231, aws/aws-cli#3992).
  if (res.resourceMethods[verb]) throw new ConflictException("Method already exists for this resource");
  checkMethod(ctx, input.restApiId, method);
  const next: ResourceRec = { ...res, resourceMethods: { ...res.resourceMethods, [verb]: method } };
  tables(ctx).resources.put(`${input.restApiId}/${res.id}`, next);
  return methodOut(method);
}

const METHOD_PATCH: PatchSpec = {
  authorizationType: { kind: "string", ops: ["replace"] },
  authorizerId: { kind: "string", ops: ["replace"] },
  apiKeyRequired: { kind: "boolean", ops: ["replace"] },
  requestValidatorId: { kind: "string", ops: ["replace"] },
  operationName: { kind: "string", ops: ["replace"] },
  authorizationScopes: { kind: "list", ops: ["add", "remove"] },
  requestParameters: { kind: "booleanMap", ops: ["add", "remove", "replace"] },
  requestModels: { kind: "map", ops: ["add", "remove", "replace"] },
};

function updateMethod(input: { restApiId: string; resourceId: string; httpMethod: string; patchOperations?: PatchOperation[] }, ctx: HandlerContext): Method {
  const { res, method, verb } = requireMethod(ctx, input);
  // A whole map (/requestParameters) or a content type with a "/" left unescaped is not a path AWS takes.
  for (const op of input.patchOperations ?? []) {
    const segs = op.path ? decodePath(op.path) : [];
    if ((segs[0] === "requestParameters" || segs[0] === "requestModels") && segs.length !== 2) throw new BadRequestException(`Invalid patch path ${op.path}`);
    if (
      segs[0] &&
      METHOD_PATCH[segs[0]] &&
      ["authorizationType", "authorizerId", "apiKeyRequired", "requestValidatorId", "operationName"].includes(segs[0]) &&
      op.op !== "replace"
    )
      throw invalidPatchOp(op, ["replace"]);
  }
  const next = applyPatch(method, input.patchOperations, METHOD_PATCH);
  if (next.authorizationType !== "CUSTOM" && next.authorizationType !== "COGNITO_USER_POOLS") delete next.authorizerId;
  checkMethod(ctx, input.restApiId, next);
  tables(ctx).resources.put(`${input.restApiId}/${res.id}`, { ...res, resourceMethods: { ...res.resourceMethods, [verb]: next } });
  return methodOut(next);
}

export const resources = {
  createResource,
  updateResource,

  getResource(input, ctx) {
    return resourceOut(requireResource(ctx, input.restApiId, input.resourceId), !!input.embed?.includes("methods"));
  },

  getResources(input, ctx) {
    requireApi(ctx, input.restApiId);
    const all = ofApi(tables(ctx).resources, input.restApiId);
    const { items, position } = page("GetResources", all, (r) => r.id, input, input.restApiId);
    const embed = !!input.embed?.includes("methods");
    return { items: items.map((r) => resourceOut(r, embed)), ...(position ? { position } : {}) };
  },

  deleteResource(input, ctx) {
    const res = requireResource(ctx, input.restApiId, input.resourceId);
    // unverified wording (AWS refuses to delete the root resource)
    if (res.path === "/") throw new BadRequestException("Cannot delete the root resource of a REST API");
    const t = tables(ctx);
    transaction(ctx, () => {
      for (const r of [res, ...below(t, input.restApiId, res.id)]) {
        t.resources.delete(`${input.restApiId}/${r.id}`);
        unlink(t, input.restApiId, r);
      }
    });
    return {};
  },

  putMethod,
  updateMethod,

  getMethod(input, ctx) {
    return methodOut(requireMethod(ctx, input).method);
  },

  deleteMethod(input, ctx) {
    const { res, verb } = requireMethod(ctx, input);
    const methods = { ...res.resourceMethods };
    delete methods[verb];
    tables(ctx).resources.put(`${input.restApiId}/${res.id}`, { ...res, resourceMethods: methods });
    return {};
  },

  ...integrations,
} satisfies Partial<ApiGatewayApi>;
