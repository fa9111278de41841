// Published versions: immutable snapshots of $LATEST (code and configuration) under qualified ARNs.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { LambdaApi } from "./api.generated.js";
import type { FunctionRec, VersionRec } from "./state.js";
import { functionArn, tables, versionKey } from "./state.js";

/** The fields that make two versions the same function (AWS publishes nothing new when none changed). */
function fingerprint(v: VersionRec): string {
  const { FunctionArn: _a, Version: _v, LastModified: _l, RevisionId: _r, State: _s, StateReason: _sr, StateReasonCode: _sc, LastUpdateStatus: _u, LastUpdateStatusReason: _ur, LastUpdateStatusReasonCode: _uc, Description: _d, ...rest } = v.config;
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

export const versions = {} satisfies Partial<LambdaApi>;
