// Layers: versioned zip archives functions mount at /opt (the engine unpacks them under each function's code),
// with their own resource policy for sharing (lambda:GetLayerVersion to accounts, an organization or everyone).
import { globalArn, regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import type { GetLayerVersionResponse, LambdaApi, LayerVersionsListItem, LayersListItem } from "./api.generated.js";
import { InvalidParameterValueException, PreconditionFailedException, ResourceConflictException, ResourceNotFoundException } from "./api.generated.js";
import { randomUUID } from "node:crypto";
import { storeCode } from "./code.js";
import { engineOf } from "./engine/index.js";
import type { LayerVersionRec } from "./state.js";
import { lambdaState, tables, transaction, versionKey } from "./state.js";
import { principalOf } from "./permissions.js";
import { paginate } from "./versions.js";

const LAYER_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]+)$/;
const LAYER_VERSION_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]+):(\d+)$/;

const userError = (msg: string) => new InvalidParameterValueException(msg, { Type: "User" });
const doesNotExist = () => new ResourceNotFoundException("The resource you requested does not exist.", { Type: "User" });

export const layerArn = (region: string, account: string, name: string) => regionalArn({ region, account }, "lambda", `layer:${name}`);

interface LayerRef {
  account: string;
  region: string;
  name: string;
}

/** LayerName as given: a name, or a layer ARN (possibly another account's, for shared layers). */
function layerRef(ctx: HandlerContext, layerName: string): LayerRef {
  const m = LAYER_ARN.exec(layerName);
  if (m) return { region: m[1]!, account: m[2]!, name: m[3]! };
  return { account: ctx.account, region: ctx.region, name: layerName };
}

/** The layers table of the account and region a layer lives in (the same one `tables(ctx).layers` is for ours). */
function layersOf(ctx: HandlerContext, ref: Pick<LayerRef, "account" | "region">) {
  return ref.account === ctx.account && ref.region === ctx.region ? tables(ctx).layers : lambdaState.at(ctx, ref.account, ref.region).layers;
}

function checkVersionNumber(n: number): void {
  if (n < 1) throw userError("Layer Version Cannot be less than 1");
}

function location(ctx: HandlerContext, blobId: string): string {
  const base = ctx.host ? `http://${ctx.host}` : (engineOf(ctx)?.baseUrl() ?? "http://localhost:4566");
  return `${base}/_stratus/lambda/code/${blobId}`;
}

function listItem(l: LayerVersionRec): LayerVersionsListItem {
  return {
    LayerVersionArn: `${l.layerArn}:${l.version}`,
    Version: l.version,
    Description: l.description,
    CreatedDate: l.createdDate,
    ...(l.compatibleRuntimes?.length ? { CompatibleRuntimes: l.compatibleRuntimes as LayerVersionsListItem["CompatibleRuntimes"] } : {}),
    ...(l.licenseInfo !== undefined ? { LicenseInfo: l.licenseInfo } : {}),
    ...(l.compatibleArchitectures?.length ? { CompatibleArchitectures: l.compatibleArchitectures as LayerVersionsListItem["CompatibleArchitectures"] } : {}),
  };
}

function layerOut(ctx: HandlerContext, l: LayerVersionRec): GetLayerVersionResponse {
  const { LayerVersionArn, ...rest } = listItem(l);
  return {
    Content: { Location: location(ctx, l.code.blobId), CodeSha256: l.code.sha256, CodeSize: l.code.size },
    LayerArn: l.layerArn,
    LayerVersionArn,
    ...rest,
  };
}

/** Whether a caller of another account may read this layer version (its policy grants it lambda:GetLayerVersion). */
function sharedWith(l: LayerVersionRec, account: string): boolean {
  return l.policy.some(({ statement: s }) => {
    const p = s.Principal as string | { AWS?: string };
    const who = typeof p === "string" ? p : p.AWS;
    // An organization condition cannot be checked here (no Organizations): such grants count as given.
    return who === "*" || who === globalArn(account, "iam", "root");
  });
}

/** A layer version that exists (not deleted) and the caller may read. */
function visibleVersion(ctx: HandlerContext, ref: LayerRef, version: number): LayerVersionRec {
  const l = layersOf(ctx, ref).get(versionKey(ref.name, String(version)));
  if (!l || l.deleted) throw doesNotExist();
  if (ref.account !== ctx.account && !sharedWith(l, ctx.account)) throw doesNotExist();
  return l;
}

/** A layer version of this caller's own, for its policy operations. */
function ownVersion(ctx: HandlerContext, layerName: string, version: number): LayerVersionRec {
  const ref = layerRef(ctx, layerName);
  const arn = `${layerArn(ref.region, ref.account, ref.name)}:${version}`;
  const l = ref.account === ctx.account && ref.region === ctx.region ? tables(ctx).layers.get(versionKey(ref.name, String(version))) : undefined;
  if (!l || l.deleted) throw new ResourceNotFoundException(`Layer version ${arn} does not exist.`, { Type: "User" });
  return l;
}

const matches = (l: LayerVersionRec, runtime?: string, arch?: string) =>
  !l.deleted &&
  (runtime === undefined || (l.compatibleRuntimes ?? []).includes(runtime)) &&
  (arch === undefined || (l.compatibleArchitectures ?? []).includes(arch));

export const layers = {
  async publishLayerVersion(input, ctx) {
    const ref = layerRef(ctx, input.LayerName);
    if (ref.account !== ctx.account || ref.region !== ctx.region) {
      throw userError(`Layer ${input.LayerName} does not belong to the caller's account and region.`);
    }
    const code = await storeCode(ctx, input.Content);
    const t = tables(ctx);
    return transaction(ctx, () => {
      // Numbers are never reused, not even those of deleted versions (kept as tombstones).
      const last = t.layers.list({ prefix: `${ref.name}#` }).at(-1)?.value.version ?? 0;
      const rec: LayerVersionRec = {
        layerName: ref.name,
        layerArn: layerArn(ctx.region, ctx.account, ref.name),
        version: last + 1,
        description: input.Description ?? "",
        createdDate: new Date(ctx.now()).toISOString().replace("Z", "+0000"),
        code,
        ...(input.CompatibleRuntimes ? { compatibleRuntimes: input.CompatibleRuntimes } : {}),
        ...(input.CompatibleArchitectures ? { compatibleArchitectures: input.CompatibleArchitectures } : {}),
        ...(input.LicenseInfo !== undefined ? { licenseInfo: input.LicenseInfo } : {}),
        policy: [],
      };
      t.layers.put(versionKey(ref.name, String(rec.version)), rec);
      return layerOut(ctx, rec);
    });
  },

  getLayerVersion(input, ctx) {
    checkVersionNumber(input.VersionNumber);
    return layerOut(ctx, visibleVersion(ctx, layerRef(ctx, input.LayerName), input.VersionNumber));
  },

  getLayerVersionByArn(input, ctx) {
    const m = LAYER_VERSION_ARN.exec(input.Arn);
    if (!m) throw userError(`Invalid layer version ARN: ${input.Arn}`);
    return layerOut(ctx, visibleVersion(ctx, { region: m[1]!, account: m[2]!, name: m[3]! }, Number(m[4])));
  },

  listLayers(input, ctx) {
    const latest = new Map<string, LayerVersionRec>();
    for (const { value } of tables(ctx).layers.list()) {
      if (matches(value, input.CompatibleRuntime, input.CompatibleArchitecture)) latest.set(value.layerName, value);
    }
    const all: LayersListItem[] = [...latest.values()].map((l) => ({ LayerName: l.layerName, LayerArn: l.layerArn, LatestMatchingVersion: listItem(l) }));
    const { page, next } = paginate("ListLayers", all, input.Marker, input.MaxItems);
    return { Layers: page, ...(next ? { NextMarker: next } : {}) };
  },

  listLayerVersions(input, ctx) {
    const ref = layerRef(ctx, input.LayerName);
    const all = layersOf(ctx, ref)
      .list({ prefix: `${ref.name}#` })
      .map((e) => e.value)
      .filter((l) => matches(l, input.CompatibleRuntime, input.CompatibleArchitecture) && (ref.account === ctx.account || sharedWith(l, ctx.account)))
      .reverse()
      .map(listItem);
    const { page, next } = paginate("ListLayerVersions", all, input.Marker, input.MaxItems);
    return { LayerVersions: page, ...(next ? { NextMarker: next } : {}) };
  },

  deleteLayerVersion(input, ctx) {
    checkVersionNumber(input.VersionNumber);
    const ref = layerRef(ctx, input.LayerName);
    if (ref.account !== ctx.account || ref.region !== ctx.region) return {};
    // AWS answers 204 whether or not the version exists. The record stays as a tombstone (with its code) so that
    // functions configured with the version keep running it.
    transaction(ctx, () => {
      const t = tables(ctx);
      const key = versionKey(ref.name, String(input.VersionNumber));
      const l = t.layers.get(key);
      if (!l || l.deleted) return;
      t.layers.put(key, { ...l, deleted: true, policy: [] });
    });
    return {};
  },

  addLayerVersionPermission(input, ctx) {
    return transaction(ctx, () => {
      const l = ownVersion(ctx, input.LayerName, input.VersionNumber);
      if (l.policy.some((p) => p.sid === input.StatementId)) {
        throw new ResourceConflictException(
          `The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          { Type: "User" },
        );
      }
      if (input.RevisionId !== undefined && input.RevisionId !== l.policyRevisionId) {
        throw new PreconditionFailedException(
          "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id",
          { Type: "User" },
        );
      }
      if (input.OrganizationId !== undefined && input.Principal !== "*") {
        throw userError("OrganizationId can only be specified when Principal is '*'.");
      }
      const statement: Record<string, unknown> = {
        Sid: input.StatementId,
        Effect: "Allow",
        Principal: principalOf(input.Principal),
        Action: input.Action,
        Resource: `${l.layerArn}:${l.version}`,
        ...(input.OrganizationId !== undefined ? { Condition: { StringEquals: { "aws:PrincipalOrgID": input.OrganizationId } } } : {}),
      };
      const revisionId = randomUUID();
      const next: LayerVersionRec = { ...l, policy: [...l.policy, { sid: input.StatementId, statement, revisionId }], policyRevisionId: revisionId };
      tables(ctx).layers.put(versionKey(l.layerName, String(l.version)), next);
      return { Statement: JSON.stringify(statement), RevisionId: revisionId };
    });
  },

  removeLayerVersionPermission(input, ctx) {
    transaction(ctx, () => {
      const l = ownVersion(ctx, input.LayerName, input.VersionNumber);
      if (input.RevisionId !== undefined && input.RevisionId !== l.policyRevisionId) {
        throw new PreconditionFailedException(
          "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id",
          { Type: "User" },
        );
      }
      if (!l.policy.some((p) => p.sid === input.StatementId))
        throw new ResourceNotFoundException(`Statement ${input.StatementId} is not found in resource policy.`, { Type: "User" });
      const next: LayerVersionRec = { ...l, policy: l.policy.filter((p) => p.sid !== input.StatementId), policyRevisionId: randomUUID() };
      tables(ctx).layers.put(versionKey(l.layerName, String(l.version)), next);
    });
    return {};
  },

  getLayerVersionPolicy(input, ctx) {
    const l = ownVersion(ctx, input.LayerName, input.VersionNumber);
    if (!l.policy.length) throw new ResourceNotFoundException("No policy is associated with the given resource.", { Type: "User" });
    return {
      Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: l.policy.map((p) => p.statement) }),
      RevisionId: l.policyRevisionId,
    };
  },
} satisfies Partial<LambdaApi>;
