// Scheduled rules (default bus only): each enabled rule with a ScheduleExpression fires on the runtime's scheduler —
// rate() counting from the rule's creation, cron() on UTC — and each tick is AWS's "Scheduled Event" (source
// aws.events, the rule's ARN as its resource, empty detail) delivered to the rule's targets as a matched event is.
// Nothing about a tick is stored until it fires: a restart arms each rule's next tick after the current time (ticks
// due while the server was down are not made up).
import { randomUUID } from "node:crypto";
import type { Cancel } from "../../core/scheduler.js";
import { nextFireTime, parseSchedule, type Schedule } from "../../core/schedule.js";
import type { ServiceHost } from "../../core/service.js";
import { deliverToTargets } from "./delivery.js";
import { eventsMetric } from "./metrics.js";
import { eventTime } from "./put-events.js";
import { ebState, ValidationException, type RuleRec } from "./state.js";

/** Parses a rule's ScheduleExpression as EventBridge takes it (rate() with AWS's singular/plural rule, or cron()). */
export function parseRuleSchedule(expr: string): Schedule {
  const invalid = () => new ValidationException("Parameter ScheduleExpression is not valid.");
  const s = parseSchedule(expr, invalid, { strictPlural: true, exactSpacing: true });
  if (s.kind === "at") throw invalid(); // at() is EventBridge Scheduler's, not a rule's
  return s;
}

/** The running timers of scheduled rules, by `<account>/<region>/<bus>|<rule>`. */
export class RuleSchedules {
  private readonly timers = new Map<string, Cancel>();
  constructor(private readonly host: ServiceHost) {}

  /** Arms (or re-arms, or cancels) the rule's next tick as its record now says. */
  sync(account: string, region: string, rule: RuleRec | undefined, key: string): void {
    const id = `${account}/${region}/${key}`;
    this.timers.get(id)?.();
    this.timers.delete(id);
    if (!rule?.scheduleExpression || rule.state === "DISABLED") return;
    const schedule = parseRuleSchedule(rule.scheduleExpression);
    const arm = (after: number) => {
      const due = nextFireTime(schedule, after, rule.created ?? after);
      if (due === undefined) return;
      this.timers.set(
        id,
        this.host.scheduler.at(due, () => {
          try {
            this.fire(account, region, key, due);
          } finally {
            if (this.timers.has(id)) arm(due);
          }
        }),
      );
    };
    arm(this.host.clock.now());
  }

  private fire(account: string, region: string, key: string, at: number): void {
    const rule = ebState.at(this.host, account, region).rules.get(key);
    if (!rule || rule.state === "DISABLED" || !rule.scheduleExpression) return;
    const event = {
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account,
      time: eventTime(at),
      region,
      resources: [rule.arn],
      detail: {},
    };
    eventsMetric(this.host, account, region, "TriggeredRules", rule.name, at);
    deliverToTargets(this.host, account, region, rule, event, at);
  }

  /** Arms every stored scheduled rule (the service's start). */
  resume(): void {
    for (const { account, region, tables } of ebState.all(this.host, "rules"))
      for (const { key, value } of tables.rules.list()) if (value.scheduleExpression) this.sync(account, region, value, key);
  }

  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }
}
