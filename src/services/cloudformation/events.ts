// Stack events as AWS keeps and shows them: each stack's events numbered in order by a stored sequence (appending
// one reads and writes that number, never counts the stack's events, so a stack of hundreds of resources does not
// slow as it grows; a stack recorded before the sequence existed counts its events once), a resource event's
// ResourceProperties (the JSON of its resolved properties, every scalar a string, as AWS's events show them, e.g.
// "{\"AllocatedStorage\":\"5\",\"Engine\":\"MySQL\"}"), and DescribeStackEvents' pages, newest first.
import { ServiceError } from "../../core/errors.js";
import { pageByKey } from "../../core/paging.js";
import type { Tables } from "./engine.js";
import type { EventRec } from "./state.js";

/** AWS's page of stack events: 100 (as DescribeStackEvents answers; unverified against the API reference). */
export const EVENTS_PAGE = 100;
const WIDTH = 8;
const TOP = 10 ** WIDTH - 1;

/** The key of a stack's event number `n`: ascending in the order the events happened. */
export const eventKey = (stackId: string, n: number): string => `${stackId}\u0000${String(n).padStart(WIDTH, "0")}`;

/** The next event number of a stack, recorded before the event is (a crash between the two leaves a gap, never a clash). */
export function nextEventSeq(t: Tables, stackId: string): number {
  const last = t.eventSeq.get(stackId) ?? t.events.count(`${stackId}\u0000`) - 1;
  t.eventSeq.put(stackId, last + 1);
  return last + 1;
}

// CloudFormation passes every scalar as a string (as a custom resource's ResourceProperties shows them too).
function stringify(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stringify);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stringify(x)]));
  return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
}

/** A resource event's ResourceProperties: its resolved properties as JSON; none when it has none. */
export function propertiesJson(properties: Record<string, unknown> | undefined): string | undefined {
  if (!properties || !Object.keys(properties).length) return undefined;
  return JSON.stringify(stringify(properties));
}

/** One page of a stack's events, newest first: the token names the last event returned. */
export function eventsPage(t: Tables, stackId: string, token: string | undefined): { items: EventRec[]; next?: string } {
  const prefix = `${stackId}\u0000`;
  // Newest first: each key's number inverted, so the page order is ascending in the key paging compares.
  const newest = t.events
    .list({ prefix })
    .reverse()
    .map((e) => ({ inv: String(TOP - Number(e.key.slice(prefix.length))).padStart(WIDTH, "0"), value: e.value }));
  const page = pageByKey(newest, (e) => e.inv, {
    operation: "DescribeStackEvents",
    token,
    max: EVENTS_PAGE,
    bind: stackId,
    invalid: () => new ServiceError("ValidationError", "Invalid NextToken", 400), // unverified wording
  });
  return { items: page.items.map((e) => e.value), next: page.next };
}
