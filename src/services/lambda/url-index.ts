// The global index url-id → owner of Function URLs, apart from urls.ts so that what deletes a function or an
// alias (and, through permissions → aliases, lambda/internal.ts, which S3, SNS and Secrets Manager load) can
// drop index entries without statically importing urls.ts, which imports the engine.
import type { StateHolder } from "../../core/state.js";
import type { UrlConfigRec } from "./state.js";
import { lambdaState } from "./state.js";

/** Where a url-id points: read by the HTTP route, which knows nothing but the host. */
export interface UrlIndexRec {
  account: string;
  region: string;
  functionName: string;
  /** Alias name, or "" for the unqualified function. */
  qualifier: string;
}

/** The index's stored name (`lambda:url-index`, one table for the server). */
export const URL_INDEX = "url-index";

/** The index (global: the same table whichever account asks), from a handler's context or the host. */
export const urlIndex = (holder: StateHolder) => lambdaState.at(holder, "").urlIndex;

/** Removes the index entries of a function's URL configs (its deletion; also done lazily by the HTTP side). */
export function dropUrlIndex(ctx: StateHolder, recs: Iterable<UrlConfigRec>): void {
  const idx = urlIndex(ctx);
  for (const r of recs) idx.delete(r.urlId);
}
