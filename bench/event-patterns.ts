// Event-pattern matching in-process (issue 15, points 2 and 13): events against 1,000 and 10,000 rules of mixed
// operators through one compiled matcher (src/core/event-pattern-rules.ts), the time to compile 1,000 rules, and
// for comparison each pattern matched on its own (what a bus without the shared matcher would do per event).
// Rules look like an EventBridge bus's: source and detail-type exact, then one detail field with exact values,
// prefix, suffix, equals-ignore-case, numeric ranges, anything-but, exists, wildcard, cidr, or an `$or`.
//
// `node --import tsx bench/event-patterns.ts` runs it alone; `npm run bench -- --only-patterns` in the table.
import { fileURLToPath } from "node:url";
import { type EventPattern, parseEventPattern } from "../src/core/event-pattern.js";
import { compileRules } from "../src/core/event-pattern-rules.js";
import type { BenchRow } from "./server.js";

const TARGET_1K = 50_000;
const TARGET_10K = 20_000;
const COMPILE_TARGET_MS = 200;

/** A seeded generator, so every run measures the same rules and events. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r = rng(15);
const int = (n: number) => Math.floor(r() * n);
const SOURCES = Array.from({ length: 50 }, (_, i) => `com.example.svc${i}`);
const TYPES = Array.from({ length: 200 }, (_, i) => `Order State Change ${i}`);
const WORDS = Array.from({ length: 500 }, (_, i) => `value-${i.toString(36)}-${(i * 7919) % 1000}`);
const field = () => `f${int(20)}`;

function detailRule(): Record<string, unknown> {
  const k = r();
  const w = WORDS[int(WORDS.length)];
  if (k < 0.4) return { [field()]: [w, WORDS[int(WORDS.length)]] };
  if (k < 0.55) return { [field()]: [{ prefix: w.slice(0, 8) }] };
  if (k < 0.65) {
    const lo = int(1000);
    return { amount: [{ numeric: [">=", lo, "<", lo + 1 + int(200)] }] };
  }
  if (k < 0.7) return { [field()]: [{ suffix: w.slice(-4) }] };
  if (k < 0.75) return { [field()]: [{ "equals-ignore-case": w.toUpperCase() }] };
  if (k < 0.8) return { [field()]: [{ "anything-but": [w, WORDS[int(WORDS.length)]] }] };
  if (k < 0.85) return { [field()]: [{ exists: true }] };
  if (k < 0.9) return { [field()]: [{ wildcard: `${w.slice(0, 6)}*${w.slice(-2)}` }] };
  if (k < 0.95) return { ip: [{ cidr: `10.${int(256)}.0.0/16` }] };
  return { $or: [{ [field()]: [w] }, { amount: [{ numeric: [">", int(1000)] }] }] };
}

const ruleText = () => JSON.stringify({ source: [SOURCES[int(SOURCES.length)]], "detail-type": [TYPES[int(TYPES.length)]], detail: detailRule() });

function event(): unknown {
  const detail: Record<string, unknown> = { amount: int(1200), ip: `10.${int(256)}.${int(256)}.${int(256)}` };
  for (let i = 0; i < 6; i++) detail[field()] = r() < 0.2 ? WORDS[int(WORDS.length)].toUpperCase() : WORDS[int(WORDS.length)];
  return {
    version: "0",
    id: `ev-${int(1e9)}`,
    "detail-type": TYPES[int(TYPES.length)],
    source: SOURCES[int(SOURCES.length)],
    account: "123456789012",
    time: "2026-12-06T05:00:00Z",
    region: "us-east-1",
    resources: [],
    detail,
  };
}

const parse = (text: string): EventPattern => parseEventPattern(text, {}, (m) => new Error(m));

/** Events per second through `match`, over a fixed set of events (after a warm-up pass). */
function rate(events: unknown[], match: (e: unknown) => number, seconds = 1.5, warm = 2000, batch = 1000): { perSecond: number; matched: number } {
  for (const e of events.slice(0, warm)) match(e);
  let n = 0;
  let matched = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) for (let i = 0; i < batch; i++, n++) matched += match(events[n % events.length]);
  return { perSecond: n / ((performance.now() - start) / 1000), matched: matched / n };
}

export function eventPatternsBench(): BenchRow[] {
  const texts = Array.from({ length: 10_000 }, ruleText);
  const events = Array.from({ length: 20_000 }, event);
  const rows: BenchRow[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

  // Compile 1,000 rules: parse each pattern's text, then build the matcher (best of 10, the JIT warm after the first).
  let compileMs = Number.POSITIVE_INFINITY;
  let buildMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const patterns = texts.slice(0, 1000).map((t, j) => ({ id: j, pattern: parse(t) }));
    const t1 = performance.now();
    compileRules(patterns);
    const t2 = performance.now();
    compileMs = Math.min(compileMs, t2 - t0);
    buildMs = Math.min(buildMs, t2 - t1);
  }
  // The same machine's speed right now, for scale: JSON.parse of those 1,000 patterns' texts.
  let jsonMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    for (const t of texts.slice(0, 1000)) JSON.parse(t);
    jsonMs = Math.min(jsonMs, performance.now() - t0);
  }
  rows.push({
    metric: "patterns: baseline, JSON.parse of the same 1,000 pattern texts (this machine, now)",
    value: `${jsonMs.toFixed(1)} ms`,
    target: "-",
    ok: true,
  });
  rows.push({
    metric: `patterns: compile 1,000 rules (parse and check each pattern, then build the matcher: ${buildMs.toFixed(1)} ms of it)`,
    value: `${compileMs.toFixed(1)} ms`,
    target: `≤ ${COMPILE_TARGET_MS} ms`,
    ok: compileMs <= COMPILE_TARGET_MS,
  });

  for (const [count, target] of [
    [1000, TARGET_1K],
    [10_000, TARGET_10K],
  ] as const) {
    const patterns = texts.slice(0, count).map((t, j) => ({ id: j, pattern: parse(t) }));
    const set = compileRules(patterns);
    const shared = rate(events, (e) => set.matches(e).length);
    rows.push({
      metric: `patterns: events matched against ${fmt(count)} rules, one compiled matcher (${shared.matched.toFixed(2)} rules match an event on average)`,
      value: `${fmt(shared.perSecond)} ev/s`,
      target: `≥ ${fmt(target)} ev/s`,
      ok: shared.perSecond >= target,
    });
    const alone = rate(events, (e) => patterns.reduce((n, p) => n + (p.pattern.matches(e) ? 1 : 0), 0), 1, 5, 5);
    rows.push({
      metric: `patterns: the same, each of the ${fmt(count)} patterns matched on its own (for comparison)`,
      value: `${fmt(alone.perSecond)} ev/s`,
      target: "-",
      ok: true,
    });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of eventPatternsBench()) console.log(`${row.metric} | ${row.value} | ${row.target} | ${row.ok ? "yes" : "NO"}`);
}
