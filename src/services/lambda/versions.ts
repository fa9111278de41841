// Published versions: immutable snapshots of $LATEST (code and configuration) under qualified ARNs.
// PublishVersion (with its CodeSha256/RevisionId preconditions) and ListVersionsByFunction; also the opaque
// Marker paging the other Lambda list operations share.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import type { FunctionConfiguration, LambdaApi } from "./api.generated.js";
import { InvalidParameterValueException, PreconditionFailedException, ResourceConflictException } from "./api.generated.js";
import type { FunctionRec, VersionRec } from "./state.js";
import { LATEST, functionArn, mustGetFunction, parseFunctionName, tables, transaction, versionKey } from "./state.js";

// Markers are core/paging's: opaque outside, inside the position of the next item, bound to the operation.
const isOffset = (p: unknown): p is number => typeof p === "number" && Number.isSafeInteger(p) && p >= 0;

/** One page of `items` after the Marker, with the NextMarker when more follow. */
export function paginate<T>(
  operation: string,
  items: T[],
  marker: string | undefined,
  maxItems: number | undefined,
  defaultMax = 50,
): { page: T[]; next?: string } {
  const start =
    marker !== undefined && marker !== ""
      ? decodePageToken(operation, marker, () => new InvalidParameterValueException("Invalid marker.", { Type: "User" }), { valid: isOffset })
      : 0;
  const max = maxItems ?? defaultMax;
  const page = items.slice(start, start + max);
  return { page, ...(start + max < items.length ? { next: encodePageToken(operation, start + max) } : {}) };
}

/** The fields that make two versions the same function (AWS publishes nothing new when none changed). */
function fingerprint(v: VersionRec): string {
  const {
    FunctionArn: _a,
    Version: _v,
    LastModified: _l,
    RevisionId: _r,
    State: _s,
    StateReason: _sr,
    StateReasonCode: _sc,
    LastUpdateStatus: _u,
    LastUpdateStatusReason: _ur,
    LastUpdateStatusReasonCode: _uc,
    Description: _d,
    ...rest
  } = v.config;
  return JSON.stringify([rest, v.code?.sha256, v.imageUri]);
}

/** Publishes $LATEST as the next version (or answers the newest version when nothing changed since it). */
export function publish(ctx: HandlerContext, fn: FunctionRec, description?: string): VersionRec {
  const t = tables(ctx);
  const newest = t.versions.list({ prefix: `${fn.name}#` }).at(-1)?.value;
  if (newest && fingerprint(newest) === fingerprint(fn.latest)) return newest;
  const version = String(fn.nextVersion);
  const config = structuredClone(fn.latest.config);
  config.Version = version;
  config.FunctionArn = functionArn(ctx, fn.name, version);
  config.RevisionId = randomUUID();
  config.Description = description ?? fn.latest.config.Description ?? "";
  // A version is published from code that is ready: it starts Active/Successful.
  config.State = config.State === "Failed" ? "Failed" : "Active";
  delete config.StateReason;
  delete config.StateReasonCode;
  config.LastUpdateStatus = "Successful";
  delete config.LastUpdateStatusReason;
  delete config.LastUpdateStatusReasonCode;
  const rec: VersionRec = { config, code: fn.latest.code, imageUri: fn.latest.imageUri };
  fn.nextVersion += 1;
  t.versions.put(versionKey(fn.name, version), rec);
  t.functions.put(fn.name, fn);
  return rec;
}

export const PRECONDITION_MESSAGE =
  "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id";

/** A version's configuration as ListVersionsByFunction shows it: $LATEST under its qualified ARN too. */
function listed(ctx: HandlerContext, fn: FunctionRec, v: VersionRec): FunctionConfiguration {
  if (v.config.Version !== LATEST) return v.config;
  return { ...v.config, FunctionArn: functionArn(ctx, fn.name, LATEST) };
}

export const versions = {
  publishVersion(input, ctx) {
    const ref = parseFunctionName(ctx, input.FunctionName);
    return transaction(ctx, () => {
      const fn = mustGetFunction(ctx, ref.name);
      const c = fn.latest.config;
      if (c.LastUpdateStatus === "InProgress" || c.State === "Pending") {
        throw new ResourceConflictException(`The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`, {
          Type: "User",
        });
      }
      if (input.CodeSha256 !== undefined && input.CodeSha256 !== c.CodeSha256) {
        throw new InvalidParameterValueException(
          `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${c.CodeSha256}). Please try again.`,
          { Type: "User" },
        );
      }
      if (input.RevisionId !== undefined && input.RevisionId !== c.RevisionId) {
        throw new PreconditionFailedException(PRECONDITION_MESSAGE, { Type: "User" });
      }
      return publish(ctx, fn, input.Description).config;
    });
  },

  listVersionsByFunction(input, ctx) {
    const fn = mustGetFunction(ctx, parseFunctionName(ctx, input.FunctionName).name);
    const all = [
      listed(ctx, fn, fn.latest),
      ...tables(ctx)
        .versions.list({ prefix: `${fn.name}#` })
        .map((e) => e.value.config),
    ];
    const { page, next } = paginate("ListVersionsByFunction", all, input.Marker, input.MaxItems);
    return { Versions: page, ...(next ? { NextMarker: next } : {}) };
  },
} satisfies Partial<LambdaApi>;
