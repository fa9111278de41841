// Opaque paging tokens, one format for every List/Describe operation: base64url JSON carrying the position (the
// last key returned, or a cursor) bound to the operation and, where the results depend on filters, a fingerprint
// of them. A token from another operation, for other filters, or not ours at all is refused with the caller's
// error (each service words it its own way: SSM's InvalidNextToken, CloudTrail's InvalidNextTokenException…).
import { nodeCrypto } from "./lazy.js";

interface TokenBody<P> {
  /** The operation the token belongs to. */
  o: string;
  /** The position: the last key returned, or the operation's own cursor. */
  p: P;
  /** A fingerprint of the request's filters, when the token is only valid for the same ones. */
  f?: string;
}

/** JSON's value with every object's keys sorted, so the same input in another key order has the same text. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === "object" && !(v instanceof Date)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;

/**
 * A short fingerprint of whatever the results depend on (account, region, filters), for `bind`; also what an
 * idempotency token is checked against (the same request, key order aside).
 */
export function fingerprint(parts: unknown[]): string {
  return nodeCrypto()
    .createHash("sha256")
    .update(JSON.stringify(canonical(parts)))
    .digest("base64url")
    .slice(0, 16);
}

export function encodePageToken<P>(operation: string, position: P, bind?: string): string {
  const body: TokenBody<P> = { o: operation, p: position, ...(bind !== undefined ? { f: bind } : {}) };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/**
 * The position a token carries, when it was issued by `operation` (for the same `bind`) and its position passes
 * `valid`; otherwise the caller's error.
 */
export function decodePageToken<P>(operation: string, token: string, invalid: () => Error, opts: { bind?: string; valid?: (p: unknown) => p is P } = {}): P {
  let body: Partial<TokenBody<unknown>> | undefined;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<TokenBody<unknown>>;
  } catch {
    body = undefined;
  }
  const valid = opts.valid ?? ((p: unknown): p is P => typeof p === "string");
  if (!body || typeof body !== "object" || body.o !== operation || body.f !== opts.bind || !valid(body.p)) throw invalid();
  return body.p;
}

export interface PageOptions {
  operation: string;
  /** The token the caller sent, if any. */
  token?: string;
  /** The most items to return. */
  max: number;
  /** The caller's error for a token that is not valid here. */
  invalid: () => Error;
  bind?: string;
}

/**
 * One page of `items` (already in key order): those after the token's key, at most `max`, and the token for the
 * next page (naming the last key returned) when more remain.
 */
export function pageByKey<T>(items: T[], key: (t: T) => string, o: PageOptions): { items: T[]; next?: string } {
  const after = o.token === undefined ? undefined : decodePageToken<string>(o.operation, o.token, o.invalid, { bind: o.bind });
  let from = 0;
  if (after !== undefined) {
    const i = items.findIndex((t) => key(t) > after);
    from = i < 0 ? items.length : i;
  }
  const slice = items.slice(from, from + o.max);
  const more = from + o.max < items.length;
  return { items: slice, ...(more && slice.length ? { next: encodePageToken(o.operation, key(slice[slice.length - 1]), o.bind) } : {}) };
}
