// The global index url-id → owner of Function URLs, apart from urls.ts so that what deletes a function or an
// alias (and, through permissions → aliases, lambda/internal.ts, which S3, SNS and Secrets Manager load) can
// drop index entries without statically importing urls.ts, which imports the engine.
import type { HandlerContext } from "../../core/context.js";
import type { UrlConfigRec } from "./state.js";

/** Where a url-id points: read by the HTTP route, which knows nothing but the host. */
export interface UrlIndexRec {
  account: string;
  region: string;
  functionName: string;
  /** Alias name, or "" for the unqualified function. */
  qualifier: string;
}

export const URL_INDEX = "url-index";

export const urlIndex = (ctx: Pick<HandlerContext, "table">) => ctx.table<UrlIndexRec>(URL_INDEX, "global");

/** Removes the index entries of a function's URL configs (its deletion; also done lazily by the HTTP side). */
export function dropUrlIndex(ctx: Pick<HandlerContext, "table">, recs: Iterable<UrlConfigRec>): void {
  const idx = urlIndex(ctx);
  for (const r of recs) idx.delete(r.urlId);
}
