// The one place EventBridge uses core/event-pattern*.ts: rules' patterns parsed in EventBridge's dialect (the
// defaults), refused as InvalidEventPatternException "Event pattern is not valid. Reason: …", compiled once per
// distinct text and kept; and each bus's enabled rules compiled into one matcher (core/event-pattern-rules.ts
// compileRules), kept by the running service and dropped whenever one of the bus's rules is written (state.ts
// saveRule/deleteRule), so an event's cost follows the rules it could match, not how many the bus has.
import { parseEventPattern, type EventPattern } from "../../core/event-pattern.js";
import { compileRules, type RuleSet } from "../../core/event-pattern-rules.js";
import type { ServiceHost } from "../../core/service.js";
import { InvalidEventPatternException } from "./api.generated.js";
import type { EbInstance, RuleRec, Tables } from "./state.js";

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

const ALL_MANAGEMENT_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

/**
 * A read-only management event CloudTrail delivers (`AWS API Call via CloudTrail` with `detail.readOnly` true) reaches
 * only the rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; a write one reaches every enabled rule (AWS:
 * "Receiving read-only management events from AWS services",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html). Asked only of an event
 * some rule matched: one string comparison for any other.
 */
function readOnlyManagementEvent(event: unknown): boolean {
  const e = event as { "detail-type"?: unknown; detail?: { readOnly?: unknown } };
  return e["detail-type"] === "AWS API Call via CloudTrail" && e.detail?.readOnly === true;
}

interface BusMatcher {
  set: RuleSet<string>;
  rules: Map<string, RuleRec>;
}

/** Each bus's enabled pattern rules as one matcher, by `<account>|<region>|<bus>`; part of the running service. */
export class BusMatchers {
  private readonly buses = new Map<string, BusMatcher>();

  /** The bus's enabled rules with a pattern that the event matches, in rule-name order. */
  matching(t: Tables, account: string, region: string, bus: string, event: unknown): RuleRec[] {
    const key = `${account}|${region}|${bus}`;
    let m = this.buses.get(key);
    if (!m) {
      const rules = new Map<string, RuleRec>();
      for (const { value } of t.rules.list({ prefix: `${bus}|` })) if (value.state !== "DISABLED" && value.eventPattern) rules.set(value.name, value);
      m = { rules, set: compileRules([...rules.values()].map((r) => ({ id: r.name, pattern: compilePattern(r.eventPattern!) }))) };
      if (this.buses.size >= MAX_CACHED) this.buses.clear();
      this.buses.set(key, m);
    }
    const names = m.set.matches(event);
    if (!names.length) return [];
    if (names.length > 1) names.sort();
    const rules = names.map((n) => m.rules.get(n)!);
    return readOnlyManagementEvent(event) ? rules.filter((r) => r.state === ALL_MANAGEMENT_EVENTS) : rules;
  }

  /** One of the bus's rules was written or deleted (its pattern, state, targets, tags): compile again on next use. */
  changed(account: string, region: string, bus: string): void {
    this.buses.delete(`${account}|${region}|${bus}`);
  }
}

/** The bus's rules that match the event (the running service's matcher; compiled for this call if it is not running). */
export function matchingRules(host: ServiceHost, t: Tables, account: string, region: string, bus: string, event: unknown): RuleRec[] {
  return (host.instance<EbInstance>("eventbridge")?.matchers ?? new BusMatchers()).matching(t, account, region, bus, event);
}
