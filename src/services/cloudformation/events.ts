// Stack events as AWS keeps and shows them: each stack's events numbered in order by a stored sequence (appending
// one reads and writes that number, never counts the stack's events, so a stack of hundreds of resources does not
// slow as it grows; a stack recorded before the sequence existed counts its events once), a resource event's
// ResourceProperties (the JSON of its resolved properties, every scalar a string, as AWS's events show them, e.g.
// "{\"AllocatedStorage\":\"5\",\"Engine\":\"MySQL\"}"), and DescribeStackEvents' pages, newest first.
import { ServiceError } from "../../core/errors.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import type { Tables } from "./engine.js";
import type { EventRec } from "./state.js";

/** AWS's page of stack events: 100 (as DescribeStackEvents answers; unverified against the API reference). */
export const EVENTS_PAGE = 100;
const WIDTH = 8;

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

/**
 * One page of a stack's events, newest first, read by key range (a page costs its own events, however many the stack
 * has, as the CDK's deploy monitor polls them): the token is the number of the oldest event returned.
 */
export function eventsPage(t: Tables, stackId: string, token: string | undefined): { items: EventRec[]; next?: string } {
  const invalid = () => new ServiceError("ValidationError", "Invalid NextToken", 400); // unverified wording
  const valid = (p: unknown): p is number => Number.isInteger(p) && (p as number) > 0;
  const top =
    token === undefined
      ? (t.eventSeq.get(stackId) ?? t.events.count(`${stackId}\u0000`) - 1)
      : decodePageToken<number>("DescribeStackEvents", token, invalid, { bind: stackId, valid }) - 1;
  if (top < 0) return { items: [] };
  const low = Math.max(0, top - EVENTS_PAGE + 1);
  const items = t.events
    .list({ prefix: `${stackId}\u0000`, after: low > 0 ? eventKey(stackId, low - 1) : undefined, limit: top - low + 1 })
    .map((e) => e.value)
    .reverse();
  return { items, ...(low > 0 ? { next: encodePageToken("DescribeStackEvents", low, stackId) } : {}) };
}
