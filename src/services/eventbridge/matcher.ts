// The one place EventBridge uses core/event-pattern.ts: rules' patterns parsed in EventBridge's dialect (the
// defaults), refused as InvalidEventPatternException "Event pattern is not valid. Reason: …", compiled once per
// distinct text and kept, and matched against events (PutEvents, TestEventPattern).
import { parseEventPattern, type EventPattern } from "../../core/event-pattern.js";
import { InvalidEventPatternException } from "./api.generated.js";

const compiled = new Map<string, EventPattern>();
const MAX_CACHED = 10_000;

/** Parses and checks a rule's EventPattern, or InvalidEventPatternException as AWS words it. */
export function compilePattern(text: string): EventPattern {
  let p = compiled.get(text);
  if (p) return p;
  p = parseEventPattern(text, {}, (message) => new InvalidEventPatternException(`Event pattern is not valid. Reason: ${message}`));
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(text, p);
  return p;
}

/** True when the event (its JSON envelope, parsed) matches the rule's pattern. */
export function patternMatches(text: string, event: unknown): boolean {
  return compilePattern(text).matches(event);
}
