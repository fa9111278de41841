// Rules: PutRule (an EventPattern; schedules are refused until Stratus fires them), DescribeRule, ListRules,
// ListRuleNamesByTarget, EnableRule/DisableRule, DeleteRule and TestEventPattern. Wordings from AWS's answers as
// moto's and LocalStack's AWS-recorded tests and public issue threads quote them.
import { pageByKey } from "../../core/paging.js";
import type { HandlerContext } from "../../core/context.js";
import { mergeTags } from "../../core/tags.js";
import type { EventbridgeApi, Rule } from "./api.generated.js";
import { compilePattern, patternMatches } from "./matcher.js";
import {
  checkManaged,
  DEFAULT_BUS,
  deleteRule,
  type EbInstance,
  mustBus,
  saveRule,
  mustRule,
  ruleArn,
  ruleKey,
  tables,
  ValidationException,
  type RuleRec,
  invalidToken,
} from "./state.js";
import { parseRuleSchedule } from "./schedules.js";
import { checkTags } from "./tags.js";

function view(r: RuleRec): Rule {
  return {
    Name: r.name,
    Arn: r.arn,
    ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
    ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
    State: r.state,
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
    ...(r.managedBy !== undefined ? { ManagedBy: r.managedBy } : {}),
    EventBusName: r.bus,
  };
}

/** Arms, re-arms or cancels a scheduled rule's ticks; a scheduled rule makes EventBridge start with the server. */
function syncSchedule(ctx: HandlerContext, rule: RuleRec | undefined, key: string): void {
  if (rule?.scheduleExpression) ctx.startAtBoot();
  ctx.instance<EbInstance | undefined>()?.schedules.sync(ctx.account, ctx.region, rule, key);
}

function setState(ctx: HandlerContext, name: string, bus: string | undefined, state: RuleRec["state"]): void {
  const r = mustRule(ctx, name, bus);
  checkManaged(r);
  r.state = state;
  saveRule(ctx, r);
  syncSchedule(ctx, r, ruleKey(r.bus, r.name));
}

export const rules = {
  putRule(input, ctx) {
    if (!input.EventPattern && !input.ScheduleExpression) throw new ValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    const bus = mustBus(ctx, input.EventBusName);
    if (input.ScheduleExpression) {
      // AWS's wording, as moto's tests (tests/test_events/test_events.py) and a CDK deploy's AWS error quote it.
      if (bus.name !== DEFAULT_BUS) throw new ValidationException("ScheduleExpression is supported only on the default event bus.");
      parseRuleSchedule(input.ScheduleExpression);
    }
    if (input.EventPattern) compilePattern(input.EventPattern);
    const t = tables(ctx);
    const key = ruleKey(bus.name, input.Name);
    const old = t.rules.get(key);
    checkManaged(old);
    checkTags(input.Tags, ctx.invokedBy);
    const rec: RuleRec = {
      name: input.Name,
      bus: bus.name,
      arn: ruleArn(ctx, bus.name, input.Name),
      ...(input.EventPattern ? { eventPattern: input.EventPattern } : {}),
      ...(input.ScheduleExpression ? { scheduleExpression: input.ScheduleExpression } : {}),
      state: input.State ?? "ENABLED",
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.RoleArn !== undefined ? { roleArn: input.RoleArn } : {}),
      ...(old?.managedBy ? { managedBy: old.managedBy } : {}),
      createdBy: old?.createdBy ?? ctx.account,
      created: old?.created ?? ctx.now(),
      tags: old ? mergeTags(old.tags, input.Tags, { key: (x) => x.Key, duplicates: "last" }) : (input.Tags ?? []),
      targets: old?.targets ?? [],
    };
    saveRule(ctx, rec);
    syncSchedule(ctx, rec, key);
    return { RuleArn: rec.arn };
  },

  describeRule(input, ctx) {
    const r = mustRule(ctx, input.Name, input.EventBusName);
    return { ...view(r), CreatedBy: r.createdBy };
  },

  listRules(input, ctx) {
    const bus = mustBus(ctx, input.EventBusName);
    const all = tables(ctx)
      .rules.list({ prefix: `${bus.name}|${input.NamePrefix ?? ""}` })
      .map((e) => e.value);
    const page = pageByKey(all, (r) => r.name, {
      operation: "ListRules",
      token: input.NextToken,
      max: input.Limit ?? 100,
      invalid: invalidToken,
      bind: `${bus.name}|${input.NamePrefix ?? ""}`,
    });
    return { Rules: page.items.map(view), ...(page.next ? { NextToken: page.next } : {}) };
  },

  listRuleNamesByTarget(input, ctx) {
    const bus = mustBus(ctx, input.EventBusName);
    const all = tables(ctx)
      .rules.list({ prefix: `${bus.name}|` })
      .map((e) => e.value)
      .filter((r) => r.targets.some((x) => x.Arn === input.TargetArn));
    const page = pageByKey(all, (r) => r.name, {
      operation: "ListRuleNamesByTarget",
      token: input.NextToken,
      max: input.Limit ?? 100,
      invalid: invalidToken,
      bind: `${bus.name}|${input.TargetArn}`,
    });
    return { RuleNames: page.items.map((r) => r.name), ...(page.next ? { NextToken: page.next } : {}) };
  },

  enableRule(input, ctx) {
    setState(ctx, input.Name, input.EventBusName, "ENABLED");
    return {};
  },

  disableRule(input, ctx) {
    setState(ctx, input.Name, input.EventBusName, "DISABLED");
    return {};
  },

  deleteRule(input, ctx) {
    const bus = mustBus(ctx, input.EventBusName);
    const t = tables(ctx);
    const key = ruleKey(bus.name, input.Name);
    const r = t.rules.get(key);
    if (!r) return {}; // deleting a rule that does not exist succeeds
    checkManaged(r, input.Force);
    if (r.targets.length) throw new ValidationException("Rule can't be deleted since it has targets.");
    deleteRule(ctx, bus.name, input.Name);
    syncSchedule(ctx, undefined, key);
    return {};
  },

  testEventPattern(input) {
    compilePattern(input.EventPattern);
    let event: unknown;
    try {
      event = JSON.parse(input.Event);
    } catch {
      event = undefined;
    }
    if (typeof event !== "object" || event === null || Array.isArray(event)) throw new ValidationException("Parameter Event is not valid."); // unverified wording
    return { Result: patternMatches(input.EventPattern, event) };
  },
} satisfies Partial<EventbridgeApi>;
