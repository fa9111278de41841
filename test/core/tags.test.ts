// The shared tag rules (src/core/tags.ts): merge order, duplicate keys in one request, reserved prefixes,
// the limit with the caller's error, removal, and both field spellings (Key/Value, TagKey/TagValue).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ServiceError } from "../../src/core/errors.js";
import { countedTags, isReservedFor, isSystemTag, mergeTags, removeTags } from "../../src/core/tags.js";

interface Tag {
  Key: string;
  Value: string;
}
interface KmsTag {
  TagKey: string;
  TagValue: string;
}
const key = (t: Tag) => t.Key;
const tags = (...kv: string[]): Tag[] => kv.map((s) => ({ Key: s.split("=")[0], Value: s.split("=")[1] }));
const tooMany = () => new ServiceError("TooMany", "too many tags", 400);
const isCode = (code: string) => (e: unknown) => e instanceof ServiceError && e.code === code;

test("added tags replace same-key tags and follow the remaining ones in request order", () => {
  const existing = tags("a=1", "b=2", "c=3");
  const out = mergeTags(existing, tags("b=20", "d=4"), { key });
  assert.deepEqual(out, tags("a=1", "c=3", "b=20", "d=4"));
  assert.deepEqual(existing, tags("a=1", "b=2", "c=3"), "the existing list is not changed");
  assert.deepEqual(mergeTags(existing, undefined, { key }), existing);
  assert.notEqual(mergeTags(existing, [], { key }), existing, "a new list");
});

test("keys compare case-sensitively", () => {
  assert.deepEqual(mergeTags(tags("Env=a"), tags("env=b"), { key }), tags("Env=a", "env=b"));
});

test("a key repeated in one request: kept as sent, last value wins, or the caller's error", () => {
  const added = tags("x=1", "y=2", "x=3");
  assert.deepEqual(mergeTags(tags("x=0", "z=9"), added, { key }), tags("z=9", "x=1", "y=2", "x=3"));
  assert.deepEqual(mergeTags(tags("x=0", "z=9"), added, { key, duplicates: "last" }), tags("z=9", "x=3", "y=2"));
  const dup = () => new ServiceError("Duplicate", "dup", 400);
  assert.throws(() => mergeTags([], added, { key, duplicates: dup }), isCode("Duplicate"));
  assert.deepEqual(mergeTags([], tags("x=1", "X=2"), { key, duplicates: dup }), tags("x=1", "X=2"));
});

test("the limit counts the merged list and throws the caller's error", () => {
  const existing = tags(...Array.from({ length: 49 }, (_, i) => `k${i}=v`));
  assert.equal(mergeTags(existing, tags("new=1"), { key, max: 50, tooMany }).length, 50);
  assert.equal(mergeTags(existing, tags("k0=x", "k1=y"), { key, max: 50, tooMany }).length, 49, "replacements do not count twice");
  assert.throws(() => mergeTags(existing, tags("new=1", "new2=2"), { key, max: 50, tooMany }), isCode("TooMany"));
  // Repeated keys kept as sent count each; collapsed ("last") they count once.
  assert.throws(() => mergeTags(existing, tags("n=1", "n=2"), { key, max: 50, tooMany }), isCode("TooMany"));
  assert.equal(mergeTags(existing, tags("n=1", "n=2"), { key, max: 50, tooMany, duplicates: "last" }).length, 50);
  assert.equal(mergeTags(existing, tags("a=1", "b=2"), { key }).length, 51, "no limit unless asked");
});

test("reserved prefixes are refused before anything else, optionally ignoring case", () => {
  const reserved = { prefix: "aws:", error: () => new ServiceError("Reserved", "reserved", 400) };
  assert.throws(() => mergeTags([], tags("aws:x=1"), { key, reserved }), isCode("Reserved"));
  assert.deepEqual(mergeTags([], tags("AWS:x=1"), { key, reserved }), tags("AWS:x=1"));
  assert.throws(() => mergeTags([], tags("AWS:x=1"), { key, reserved: { ...reserved, ignoreCase: true } }), isCode("Reserved"));
  const full = tags(...Array.from({ length: 50 }, (_, i) => `k${i}=v`));
  assert.throws(() => mergeTags(full, tags("aws:x=1"), { key, reserved, max: 50, tooMany }), isCode("Reserved"));
});

test("system tags: only the AWS service that sets them gets past the reserved prefix, and they do not count", () => {
  const reserved = { prefix: "aws:", ignoreCase: true, error: () => new ServiceError("Reserved", "reserved", 400) };
  const system = tags("aws:cloudformation:stack-name=s", "aws:cloudformation:logical-id=Q");
  // A user's request (no invokedBy), or another service's, is refused; CloudFormation's own call goes through.
  assert.throws(() => mergeTags([], system, { key, reserved }), isCode("Reserved"));
  assert.throws(() => mergeTags([], system, { key, reserved: { ...reserved, invokedBy: "lambda" } }), isCode("Reserved"));
  assert.deepEqual(mergeTags([], system, { key, reserved: { ...reserved, invokedBy: "cloudformation" } }), system);
  // Only its own prefix: any other aws: key stays reserved, even for CloudFormation.
  assert.throws(() => mergeTags([], tags("aws:other=1"), { key, reserved: { ...reserved, invokedBy: "cloudformation" } }), isCode("Reserved"));
  assert.equal(isReservedFor("AWS:CloudFormation:stack-id", reserved, "cloudformation"), false);
  assert.equal(isReservedFor("AWS:CloudFormation:stack-id", reserved, undefined), true);
  assert.equal(isReservedFor("team", reserved, undefined), false);
  assert.equal(isSystemTag("aws:cloudformation:stack-id"), true);
  assert.equal(isSystemTag("aws:other"), false);
  // 50 tags of the user's own and CloudFormation's three fit a 50-tag limit.
  const full = tags(...Array.from({ length: 50 }, (_, i) => `k${i}=v`));
  assert.equal(mergeTags(full, system, { key, reserved: { ...reserved, invokedBy: "cloudformation" }, max: 50, tooMany }).length, 52);
  assert.equal(countedTags([...full, ...system], key), 50);
  assert.throws(() => mergeTags(full, tags("one=more"), { key, max: 50, tooMany }), isCode("TooMany"));
});

test("TagKey/TagValue tags and optional keys", () => {
  const kms = (k: string, v: string): KmsTag => ({ TagKey: k, TagValue: v });
  const out = mergeTags([kms("a", "1"), kms("b", "2")], [kms("a", "3")], { key: (t) => t.TagKey });
  assert.deepEqual(out, [kms("b", "2"), kms("a", "3")]);
  const loose: { Key?: string; Value?: string }[] = [{ Key: "a", Value: "1" }, { Value: "none" }];
  assert.deepEqual(
    removeTags(loose, ["a"], (t) => t.Key),
    [{ Value: "none" }],
  );
});

test("removeTags drops the listed keys, keeping order; unknown keys are ignored", () => {
  const existing = tags("a=1", "b=2", "c=3");
  assert.deepEqual(removeTags(existing, ["b", "zz"], key), tags("a=1", "c=3"));
  assert.deepEqual(removeTags(existing, ["B"], key), existing);
  assert.deepEqual(existing, tags("a=1", "b=2", "c=3"));
});
