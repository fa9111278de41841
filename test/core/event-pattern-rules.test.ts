// The many-rule matcher (src/core/event-pattern-rules.ts): its answer for an event is exactly the set of rules
// whose pattern matches on its own (EventPattern.matches), checked on random patterns of every operator and random
// events with nested objects, arrays of scalars and of objects, IP addresses, numbers and case variants; also
// after rules are removed, replaced and added again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type EventPattern, parseEventPattern } from "../../src/core/event-pattern.js";
import { compileRules } from "../../src/core/event-pattern-rules.js";

/** mulberry32: a small seeded generator, so a failure replays. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ["aws.ec2", "aws.s3", "AWS.EC2", "running", "Running", "stopped", "", "10.0.0.5", "10.0.1.7", "2001:db8::1", "a.png", "b.PNG", "x*y"];
const NUMBERS = [0, 1, 5, 5.5, -3, 100, 1e9];
const FIELDS = ["source", "detail-type", "detail.state", "detail.n", "detail.ip", "detail.items.k", "detail.items.n", "tags"];

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const str = () => pick(STRINGS);
  const num = () => pick(NUMBERS);
  const nonEmpty = () => pick(STRINGS.filter(Boolean));
  const rule = (): unknown => {
    switch (Math.floor(r() * 19)) {
      case 0:
      case 1:
        return str();
      case 2:
        return num();
      case 3:
        return pick([null, true, false]);
      case 4:
        return { prefix: str().slice(0, 1 + Math.floor(r() * 3)) };
      case 5:
        return { suffix: str().slice(-2) };
      case 6:
        return { prefix: { "equals-ignore-case": nonEmpty().slice(0, 3) } };
      case 7:
        return { suffix: { "equals-ignore-case": nonEmpty().slice(-3) } };
      case 8:
        return { "equals-ignore-case": str() };
      case 9:
        return { "anything-but": r() < 0.5 ? str() : [str(), str()] };
      case 10:
        return { "anything-but": r() < 0.5 ? num() : [num(), num()] };
      case 11:
        return { "anything-but": { [pick(["prefix", "suffix"])]: nonEmpty().slice(0, 2) } };
      case 12:
        return { "anything-but": { "equals-ignore-case": r() < 0.5 ? str() : [str(), str()] } };
      case 13:
        return { wildcard: pick(["*", "aws.*", "*.png", "*o*", "10.0.*.5"]) };
      case 14: {
        const a = num();
        const b = num();
        if (a === b || r() < 0.4) return { numeric: [pick(["<", "<=", ">", ">=", "="]), a] };
        return { numeric: [pick([">", ">="]), Math.min(a, b), pick(["<", "<="]), Math.max(a, b)] };
      }
      case 15:
        return { exists: r() < 0.6 };
      case 16:
        return { cidr: pick(["10.0.0.0/24", "10.0.0.0/8", "2001:db8::/32"]) };
      case 17:
        return { "anything-but": { wildcard: pick(["*.png", "aws.*"]) } };
      default:
        return str();
    }
  };
  const put = (obj: Record<string, unknown>, field: string, value: unknown) => {
    const parts = field.split(".");
    if (r() < 0.2) {
      obj[field] = value; // a dotted key names the same field as nesting
      return;
    }
    let o = obj;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[parts[parts.length - 1]] = value;
  };
  const object = (): Record<string, unknown> => {
    const obj: Record<string, unknown> = {};
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) put(obj, pick(FIELDS), Array.from({ length: 1 + Math.floor(r() * 3) }, rule));
    return obj;
  };
  const pattern = (): string => {
    const p = object();
    if (r() < 0.25) p.$or = [object(), object()];
    return JSON.stringify(p);
  };
  const scalar = () => (r() < 0.6 ? str() : r() < 0.8 ? num() : pick([null, true, false]));
  const event = (): unknown => {
    const detail: Record<string, unknown> = {};
    if (r() < 0.7) detail.state = scalar();
    if (r() < 0.6) detail.n = r() < 0.3 ? [num(), num()] : num();
    if (r() < 0.5) detail.ip = pick(["10.0.0.5", "10.0.1.7", "2001:db8::1", "2001:0db8:0:0::1", "192.168.1.1", "nope"]);
    if (r() < 0.6) detail.items = Array.from({ length: Math.floor(r() * 3) }, () => ({ k: scalar(), n: num() }));
    const e: Record<string, unknown> = { source: scalar(), "detail-type": scalar(), detail };
    if (r() < 0.5) e.tags = Array.from({ length: Math.floor(r() * 3) }, scalar);
    if (r() < 0.1) e["detail.state"] = scalar(); // a dotted key in the event
    return JSON.parse(JSON.stringify(e));
  };
  return { pattern, event };
}

const parse = (text: string): EventPattern | undefined => {
  try {
    return parseEventPattern(text, {}, (m) => new Error(m));
  } catch {
    return undefined; // random patterns may be invalid (e.g. a too-wide range); only valid ones are compared
  }
};

test("compileRules answers exactly what each pattern answers on its own (random patterns and events)", () => {
  for (const seed of [1, 2]) {
    const g = generator(seed);
    const patterns = new Map<string, EventPattern>();
    while (patterns.size < 200) {
      const p = parse(g.pattern());
      if (p) patterns.set(`r${patterns.size}`, p);
    }
    const set = compileRules([...patterns].map(([id, pattern]) => ({ id, pattern })));
    const check = (label: string) => {
      let matched = 0;
      for (let i = 0; i < 200; i++) {
        const event = g.event();
        const want = [...patterns].filter(([, p]) => p.matches(event)).map(([id]) => id);
        const got = set.matches(event);
        assert.deepEqual([...got].sort(), want.sort(), `${label} seed ${seed}: ${JSON.stringify(event)}`);
        matched += want.length;
      }
      assert.ok(matched > 200, `the random rules match often enough to mean something (${matched})`);
    };
    check("all rules");
    const ids = [...patterns.keys()];
    for (const id of ids.filter((_, i) => i % 3 === 0)) {
      assert.equal(set.remove(id), true);
      patterns.delete(id);
    }
    assert.equal(set.remove("nope"), false);
    assert.equal(set.size, patterns.size);
    check("after removals");
    for (const id of ids.filter((_, i) => i % 3 === 0).slice(0, 50)) {
      const p = parse(g.pattern());
      if (!p) continue;
      set.add(id, p);
      patterns.set(id, p);
    }
    const replaced = ids[1];
    const p = parse('{"source": ["aws.ec2"]}') as EventPattern;
    set.add(replaced, p);
    patterns.set(replaced, p);
    check("after adding back and replacing");
  }
});

test("compileRules: each operator finds its rules; $or branches count once; arrays of objects stay consistent", () => {
  const p = (text: string) => parseEventPattern(text, {}, (m) => new Error(m));
  const set = compileRules([
    { id: "exact", pattern: p('{"source": ["aws.ec2"]}') },
    { id: "number", pattern: p('{"detail": {"n": [5]}}') },
    { id: "prefix", pattern: p('{"source": [{"prefix": "aws."}]}') },
    { id: "suffix-fold", pattern: p('{"file": [{"suffix": {"equals-ignore-case": ".PNG"}}]}') },
    { id: "range", pattern: p('{"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}}') },
    { id: "ip", pattern: p('{"ip": ["10.0.0.1"]}') },
    { id: "or", pattern: p('{"$or": [{"source": ["aws.ec2"]}, {"detail": {"n": [5]}}]}') },
    { id: "absent", pattern: p('{"missing": [{"exists": false}]}') },
    { id: "same-element", pattern: p('{"items": {"k": ["a"], "v": [2]}}') },
  ]);
  const ids = (e: unknown) => set.matches(e).sort();
  assert.deepEqual(ids({ source: "aws.ec2", detail: { n: 5.0 } }), ["absent", "exact", "number", "or", "prefix", "range"]);
  assert.deepEqual(ids({ file: "x.png", ip: "10.0.0.2", missing: 1 }), ["suffix-fold"]);
  assert.deepEqual(ids({ ip: "10.0.0.1", missing: null }), ["ip"]);
  assert.deepEqual(
    ids({
      missing: 1,
      items: [
        { k: "a", v: 1 },
        { k: "b", v: 2 },
      ],
    }),
    [],
    "k and v from different elements",
  );
  assert.deepEqual(
    ids({
      missing: 1,
      items: [
        { k: "b", v: 1 },
        { k: "a", v: 2 },
      ],
    }),
    ["same-element"],
  );
});
