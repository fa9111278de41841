// core/paging: opaque tokens bound to their operation (and filters), refused with the caller's error elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePageToken, encodePageToken, fingerprint, pageByKey } from "../../src/core/paging.js";
import { ServiceError } from "../../src/core/errors.js";

const invalid = () => new ServiceError("InvalidNextToken", "The nextToken is not valid.", 400);
const isInvalid = (e: unknown) => e instanceof ServiceError && e.code === "InvalidNextToken";

test("a token round-trips for its operation only, and is opaque", () => {
  const t = encodePageToken("ListThings", "thing-7");
  assert.match(t, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodePageToken("ListThings", t, invalid), "thing-7");
  assert.throws(() => decodePageToken("ListOthers", t, invalid), isInvalid);
  for (const bad of ["", "garbage", "e30", Buffer.from("[1]").toString("base64url"), encodePageToken("ListThings", 7)]) {
    assert.throws(() => decodePageToken("ListThings", bad, invalid), isInvalid, bad);
  }
});

test("a token bound to filters is refused for other filters; cursors of any shape validate", () => {
  const bind = fingerprint(["111111111111", "us-east-1", "prefix-a"]);
  assert.equal(bind.length, 16);
  assert.notEqual(bind, fingerprint(["111111111111", "us-east-1", "prefix-b"]));
  const cursor = { time: 5, seq: 2 };
  const isCursor = (p: unknown): p is typeof cursor => typeof p === "object" && p !== null && Number.isSafeInteger((p as typeof cursor).time);
  const t = encodePageToken("LookupEvents", cursor, bind);
  assert.deepEqual(decodePageToken("LookupEvents", t, invalid, { bind, valid: isCursor }), cursor);
  assert.throws(() => decodePageToken("LookupEvents", t, invalid, { bind: "other", valid: isCursor }), isInvalid);
  assert.throws(() => decodePageToken("LookupEvents", t, invalid, { valid: isCursor }), isInvalid);
});

test("pageByKey walks sorted items to the end, with no token on the last page", () => {
  const items = Array.from({ length: 7 }, (_, i) => ({ name: `n${i}` }));
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = pageByKey(items, (i) => i.name, { operation: "ListNames", token, max: 3, invalid });
    seen.push(...page.items.map((i) => i.name));
    token = page.next;
    pages++;
  } while (token);
  assert.deepEqual(
    seen,
    items.map((i) => i.name),
  );
  assert.equal(pages, 3);
  // Exactly one page's worth: no next token.
  assert.equal(pageByKey(items.slice(0, 3), (i) => i.name, { operation: "ListNames", max: 3, invalid }).next, undefined);
  // A key deleted between pages: the next page starts after where it was.
  const first = pageByKey(items, (i) => i.name, { operation: "ListNames", max: 2, invalid });
  const rest = pageByKey(
    items.filter((i) => i.name !== "n2"),
    (i) => i.name,
    { operation: "ListNames", token: first.next, max: 10, invalid },
  );
  assert.deepEqual(
    rest.items.map((i) => i.name),
    ["n3", "n4", "n5", "n6"],
  );
});
