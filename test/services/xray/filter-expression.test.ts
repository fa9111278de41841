// The filter-expression language (AWS docs "Using filter expressions") as a table: each expression against three
// assembled traces, and the expressions X-Ray refuses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assemble, type TraceRec } from "../../../src/services/xray/traces/assemble.js";
import { compileFilter } from "../../../src/services/xray/traces/filter-expression.js";
import type { SegmentDoc } from "../../../src/services/xray/traces/segments.js";

const T0 = 1_760_000_000;
const tid = (n: number) => `1-${T0.toString(16)}-${String(n).padStart(24, "0")}`;

function trace(n: number, docs: Partial<SegmentDoc>[]): TraceRec {
  return assemble(
    tid(n),
    docs.map((d) => ({ trace_id: tid(n), ...d }) as SegmentDoc),
    T0,
    1,
  );
}

// A: web (200, 1.2 s) → orders (Lambda) → DynamoDB (inferred); annotations and a user.
const A = trace(1, [
  {
    name: "web",
    id: "a000000000000001",
    start_time: T0,
    end_time: T0 + 1.2,
    user: "alice",
    annotations: { tier: "gold", items: 3, vip: true },
    http: { request: { url: "https://shop.example.com/cart", method: "GET", user_agent: "Mozilla/5.0", client_ip: "10.1.2.3" }, response: { status: 200 } },
    subsegments: [{ name: "orders", id: "a000000000000002", start_time: T0 + 0.1, end_time: T0 + 1.1, namespace: "remote" } as unknown as SegmentDoc],
  },
  {
    name: "orders",
    id: "a000000000000003",
    parent_id: "a000000000000002",
    origin: "AWS::Lambda::Function",
    start_time: T0 + 0.1,
    end_time: T0 + 1.1,
    subsegments: [
      {
        name: "DynamoDB",
        id: "a000000000000004",
        namespace: "aws",
        start_time: T0 + 0.2,
        end_time: T0 + 0.9,
        aws: { operation: "Query" },
      } as unknown as SegmentDoc,
    ],
  },
]);
// B: web faults (502, 0.3 s) because payments (remote) faults with an exception.
const B = trace(2, [
  {
    name: "web",
    id: "b000000000000001",
    start_time: T0,
    end_time: T0 + 0.3,
    fault: true,
    user: "bob",
    annotations: { tier: "silver" },
    http: { request: { url: "https://shop.example.com/pay", method: "POST" }, response: { status: 502 } },
    subsegments: [
      {
        name: "payments",
        id: "b000000000000002",
        namespace: "remote",
        start_time: T0 + 0.05,
        end_time: T0 + 0.25,
        fault: true,
        http: { request: { url: "https://pay.example.com/charge" }, response: { status: 500 } },
        cause: { exceptions: [{ type: "TimeoutError", message: "upstream timed out" }] },
      } as unknown as SegmentDoc,
    ],
  },
]);
// C: worker throttled (429), in progress elsewhere.
const C = trace(3, [
  { name: "worker", id: "c000000000000001", start_time: T0, end_time: T0 + 0.05, throttle: true, http: { response: { status: 429 } } },
  { name: "worker", id: "c000000000000002", start_time: T0 + 0.01, in_progress: true },
]);

const TABLE: [string, string][] = [
  ["ok", "A"],
  ["error", ""],
  ["throttle", "C"],
  ["fault", "B"],
  ["!fault", "AC"],
  ["fault = false", "AC"],
  ["partial", "C"],
  ["inferred", "AB"],
  ["responsetime > 1", "A"],
  ["responsetime >= 0.3 AND responsetime < 1", "B"],
  ["duration <= 0.05", "C"],
  ["http.status = 502", "B"],
  ["http.status >= 400", "BC"],
  ['http.url CONTAINS "shop"', "AB"],
  ['http.url BEGINSWITH "https://shop.example.com/p"', "B"],
  ['http.url ENDSWITH "/cart"', "A"],
  ['http.method = "POST"', "B"],
  ['http.method != "POST"', "A"],
  ['http.useragent CONTAINS "Mozilla"', "A"],
  ['http.clientip = "10.1.2.3"', "A"],
  ['user = "alice"', "A"],
  ['user = "alice" OR user = "bob"', "AB"],
  ['name = "orders"', "A"],
  ['type = "AWS::Lambda::Function"', "A"],
  ['annotation.tier = "gold"', "A"],
  ['annotation[tier] != "gold"', "B"],
  ["annotation.items > 2", "A"],
  ["annotation.vip", "A"],
  ["annotation.vip = true", "A"],
  ['service("orders")', "A"],
  ['service("pay.example.com") { fault }', "B"],
  ['service("web") { fault }', "B"],
  ['service("web") { responsetime > 1 }', "A"],
  ["service() { fault }", "B"],
  ["service() { throttle }", "C"],
  ['service(id(name: "orders", type: "AWS::Lambda::Function"))', "A"],
  ['id(name: "orders", type: "AWS::Lambda::Function")', "A"],
  ['service(id(name: "orders", type: "AWS::EC2::Instance"))', ""],
  ['edge("web", "orders")', "A"],
  ['edge("orders", "DynamoDB") { responsetime > 0.5 }', "A"],
  ['edge("web", "pay.example.com") { fault }', "B"],
  ['edge("web", "DynamoDB")', ""],
  ['rootcause.fault.service { name = "pay.example.com" }', "B"],
  ["rootcause.fault.entity { remote }", "B"],
  ['rootcause.fault.exception { message CONTAINS "timed out" }', "B"],
  ['rootcause.fault.exception { name = "TimeoutError" }', "B"],
  ['rootcause.responsetime.service { name = "DynamoDB" }', "A"],
  ["NOT (fault OR throttle)", "A"],
  ['ok AND annotation.tier = "gold" OR fault', "AB"],
  ['ok AND (annotation.tier = "silver" OR fault)', ""],
  ["fault || throttle && partial", "BC"],
  ['group.name = "slow"', "A"],
  ['group.name = "Default"', "ABC"],
];

const groups = (by: "name" | "arn", v: string) => (by === "name" && v === "slow" ? "responsetime > 1" : by === "name" && v === "Default" ? "" : undefined);

test("filter expressions select the traces AWS's documentation says they select", () => {
  const traces = { A, B, C };
  const failures: string[] = [];
  for (const [expr, want] of TABLE) {
    const f = compileFilter(expr, groups);
    const got = Object.entries(traces)
      .filter(([, t]) => f(t))
      .map(([k]) => k)
      .join("");
    if (got !== want) failures.push(`${expr}: got "${got}", want "${want}"`);
  }
  assert.deepEqual(failures, []);
});

test("invalid filter expressions are InvalidRequestException", () => {
  for (const expr of [
    "",
    "responsetime >",
    'responsetime > "x"',
    'http.url > "a"',
    "fault = 3",
    "nosuchkeyword",
    "(fault",
    'service("a"',
    "fault AND",
    'group.name = "missing"',
    "rootcause.fault.service",
    'http.url = "unterminated',
    "fault ~ true",
  ]) {
    assert.throws(
      () => compileFilter(expr, groups),
      (e: Error & { code?: string }) => e.code === "InvalidRequestException" && /^Invalid filter expression/.test(e.message),
      expr,
    );
  }
});
