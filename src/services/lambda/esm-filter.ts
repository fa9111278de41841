// Event filtering for event source mappings (FilterCriteria): Lambda's dialect of the event-pattern grammar
// (src/core/event-pattern.ts), matched against each record as the function would see it (an SQS record's
// `body` as parsed JSON when it is JSON). A record passes when any filter matches.
import { parseEventPattern, type EventPattern, type PatternDialect } from "../../core/event-pattern.js";

export type Pattern = EventPattern;

/** Any refusal; the API answers it with one fixed InvalidParameterValueException message. */
export class InvalidPattern extends Error {}

/** Lambda: every EventBridge operator, equals-ignore-case modifiers; no `$or`; no limits; numeric ranges
 *  checked only as operator/value pairs and anything-but's argument not checked. */
const DIALECT: PatternDialect = { or: false, strictNumeric: false, strictAnythingBut: false, locations: false, allowEmpty: true };

/** Parses and checks one Filter's Pattern; throws InvalidPattern for anything Lambda would refuse. */
export function parsePattern(text: string): Pattern {
  return parseEventPattern(text, DIALECT, (message) => new InvalidPattern(message));
}

/** True when the event matches the pattern. */
export function matches(pattern: Pattern, event: unknown): boolean {
  return pattern.matches(event);
}
