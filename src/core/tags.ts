// Resource tags as AWS services keep them: an ordered list of key/value pairs, whatever a service calls
// the fields (Key/Value, TagKey/TagValue). The rules every service shares live here; the limits and the
// errors (each service words them its own way) are the caller's.

/** How to read a tag's key, and the rules of one service's tags. */
export type MergeTagsOptions<T> = {
  /** The tag's key (Key, TagKey, …). Keys compare case-sensitively. */
  key: (t: T) => string | undefined;
  /**
   * A key given more than once in one request: "keep" every entry as sent (the default), "last" keeps one
   * entry per key, where the key first appeared, with the last value; a function is the error to throw.
   */
  duplicates?: "keep" | "last" | (() => Error);
  /** Keys the caller may not set (e.g. AWS's `aws:` prefix); checked before anything else. */
  reserved?: { prefix: string; ignoreCase?: boolean; error: () => Error };
} & (
  | {
      /** At most this many tags on the resource after the merge (duplicates kept count each). */
      max: number;
      tooMany: () => Error;
    }
  | { max?: undefined; tooMany?: undefined }
);

/**
 * Adds tags to a resource's: an existing tag whose key is added again is dropped from where it was, and the
 * added tags follow the remaining ones in request order. Returns a new list.
 */
export function mergeTags<T>(existing: readonly T[], added: readonly T[] | undefined, opts: MergeTagsOptions<T>): T[] {
  const list = added ?? [];
  const { key, reserved } = opts;
  if (reserved) {
    const prefix = reserved.ignoreCase ? reserved.prefix.toLowerCase() : reserved.prefix;
    for (const t of list) {
      const k = key(t) ?? "";
      if ((reserved.ignoreCase ? k.toLowerCase() : k).startsWith(prefix)) throw reserved.error();
    }
  }
  const dup = opts.duplicates ?? "keep";
  let adding: T[];
  if (dup === "last") {
    const byKey = new Map<string | undefined, T>();
    for (const t of list) byKey.set(key(t), t);
    adding = [...byKey.values()];
  } else {
    if (typeof dup === "function") {
      const seen = new Set<string | undefined>();
      for (const t of list) {
        if (seen.has(key(t))) throw dup();
        seen.add(key(t));
      }
    }
    adding = [...list];
  }
  const keys = new Set(list.map(key));
  const out = existing.filter((t) => !keys.has(key(t))).concat(adding);
  if (opts.max !== undefined && out.length > opts.max) throw opts.tooMany();
  return out;
}

/** The tags without those whose key is in `keys` (UntagResource); a new list, order kept. */
export const removeTags = <T>(existing: readonly T[], keys: readonly string[], key: (t: T) => string | undefined): T[] =>
  existing.filter((t) => !keys.includes(key(t) as string));
