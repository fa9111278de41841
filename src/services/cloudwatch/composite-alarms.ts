// Composite alarms: PutCompositeAlarm (the rule parsed and its children checked as AWS does: `Could not save the
// composite alarm as alarms [x] in the alarm rule do not exist`, quoted from CloudFormation deployments in
// awsdocs/aws-cloudformation-user-guide#911; no cycles), and the alarm operations that see both kinds — DescribeAlarms
// (AlarmTypes, ChildrenOfAlarmName, ParentsOfAlarmName), DeleteAlarms (an alarm a composite still names is kept),
// SetAlarmState and Enable/DisableAlarmActions — which hand metric alarms to alarms.ts.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { fingerprint, pageByKey } from "../../core/paging.js";
import { transaction } from "../../core/state.js";
import {
  type CompositeAlarm,
  type DeleteAlarmsInput,
  type DescribeAlarmsInput,
  type DisableAlarmActionsInput,
  type EnableAlarmActionsInput,
  InvalidNextToken,
  InvalidParameterCombinationException,
  type MetricAlarm,
  type PutCompositeAlarmInput,
  type PutMetricAlarmInput,
  type SetAlarmStateInput,
} from "./api.generated.js";
import { checkActions } from "./alarm-actions.js";
import { addHistory } from "./alarm-history.js";
import { parseAlarmRule } from "./alarm-rule.js";
import { type AlarmRec, alarmState } from "./alarm-state.js";
import { alarms, checkReasonData, describeBinding, listMetricAlarms, toMetricAlarm } from "./alarms.js";
import { alarmArnOf, DEFAULT_SUPPRESSOR_PERIOD, evaluateComposite, refName, transitionComposite } from "./composite-evaluation.js";
import { type CompositeRec, compositeState } from "./composite-state.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

export function toCompositeAlarm(c: CompositeRec): CompositeAlarm {
  const out: CompositeAlarm = {
    ActionsEnabled: c.actionsEnabled,
    AlarmActions: c.alarmActions,
    AlarmArn: c.arn,
    AlarmConfigurationUpdatedTimestamp: new Date(c.configUpdated),
    AlarmDescription: c.description,
    AlarmName: c.name,
    AlarmRule: c.rule,
    InsufficientDataActions: c.insufficientDataActions,
    OKActions: c.okActions,
    StateReason: c.stateReason,
    StateReasonData: c.stateReasonData,
    StateUpdatedTimestamp: new Date(c.stateUpdated),
    StateValue: c.state,
    StateTransitionedTimestamp: new Date(c.stateTransitioned),
  };
  if (c.suppressedBy) {
    out.ActionsSuppressedBy = c.suppressedBy;
    out.ActionsSuppressedReason = c.suppressedReason;
  }
  if (c.suppressor) {
    out.ActionsSuppressor = c.suppressor;
    out.ActionsSuppressorWaitPeriod = c.suppressorWait;
    out.ActionsSuppressorExtensionPeriod = c.suppressorExtension;
  }
  return out;
}

const exists = (ctx: HandlerContext, name: string) => alarmState.of(ctx).alarms.has(name) || compositeState.of(ctx).composites.has(name);

/** The path of composites from `from` back to `target` through rule references, if the new edges close a cycle. */
function cycleFrom(ctx: HandlerContext, target: string, children: string[]): string[] | undefined {
  const t = compositeState.of(ctx).composites;
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | undefined => {
    if (name === target) return [...path, name];
    if (seen.has(name)) return undefined;
    seen.add(name);
    const c = t.get(name);
    for (const child of c?.children ?? []) {
      const found = walk(child, [...path, name]);
      if (found) return found;
    }
    return undefined;
  };
  for (const child of children) {
    const found = walk(child, [target]);
    if (found) return found;
  }
  return undefined;
}

export const compositeAlarms = {
  putCompositeAlarm(input: PutCompositeAlarmInput, ctx: HandlerContext) {
    const parsed = parseAlarmRule(input.AlarmRule);
    const missing = [...new Set(parsed.refs)].filter((ref) => {
      const name = refName(ctx, ref);
      return name === undefined || (name !== input.AlarmName && !exists(ctx, name));
    });
    if (missing.length) throw validation(`Could not save the composite alarm as alarms [${missing.join(", ")}] in the alarm rule do not exist`);
    if (alarmState.of(ctx).alarms.has(input.AlarmName))
      throw validation(`The alarm ${input.AlarmName} already exists as a metric alarm and cannot be replaced by a composite alarm.`); // unverified wording
    const children = [...new Set(parsed.refs.map((r) => refName(ctx, r)!))];
    const cycle = children.includes(input.AlarmName) ? [input.AlarmName, input.AlarmName] : cycleFrom(ctx, input.AlarmName, children);
    if (cycle) throw validation(`Could not save the composite alarm as the alarm rule creates a cycle: ${cycle.join(" -> ")}`); // unverified wording
    let suppressor: string | undefined;
    if (input.ActionsSuppressor !== undefined) {
      suppressor = refName(ctx, input.ActionsSuppressor);
      if (suppressor === undefined || !exists(ctx, suppressor) || suppressor === input.AlarmName)
        throw validation(`Could not save the composite alarm as the actions suppressor ${input.ActionsSuppressor} does not exist`); // unverified wording
    } else if (input.ActionsSuppressorWaitPeriod !== undefined || input.ActionsSuppressorExtensionPeriod !== undefined) {
      // unverified wording
      throw new InvalidParameterCombinationException(
        "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod can only be specified together with ActionsSuppressor.",
      );
    }
    checkActions([
      { name: "OKActions", arns: input.OKActions },
      { name: "AlarmActions", arns: input.AlarmActions },
      { name: "InsufficientDataActions", arns: input.InsufficientDataActions },
    ]);
    ctx.startAtBoot();
    const now = ctx.now();
    const t = compositeState.of(ctx).composites;
    transaction(ctx, () => {
      const prev = t.get(input.AlarmName);
      const c: CompositeRec = {
        name: input.AlarmName,
        arn: alarmArnOf(ctx, input.AlarmName),
        description: input.AlarmDescription,
        rule: input.AlarmRule,
        children,
        actionsEnabled: input.ActionsEnabled ?? true,
        okActions: input.OKActions ?? [],
        alarmActions: input.AlarmActions ?? [],
        insufficientDataActions: input.InsufficientDataActions ?? [],
        suppressor,
        suppressorWait: suppressor ? (input.ActionsSuppressorWaitPeriod ?? DEFAULT_SUPPRESSOR_PERIOD) : undefined,
        suppressorExtension: suppressor ? (input.ActionsSuppressorExtensionPeriod ?? DEFAULT_SUPPRESSOR_PERIOD) : undefined,
        tags: prev ? prev.tags : (input.Tags ?? []),
        configUpdated: now,
        state: prev?.state ?? "INSUFFICIENT_DATA",
        stateReason: prev?.stateReason ?? "Unchecked: Initial alarm creation",
        stateReasonData: prev?.stateReasonData,
        stateUpdated: prev?.stateUpdated ?? now,
        stateTransitioned: prev?.stateTransitioned ?? now,
      };
      t.put(c.name, c);
      addHistory(ctx, {
        alarmName: c.name,
        alarmType: "CompositeAlarm",
        timestamp: now,
        type: "ConfigurationUpdate",
        summary: `Alarm "${c.name}" ${prev ? "updated" : "created"}`,
        data: JSON.stringify({
          version: "1.0",
          type: prev ? "Update" : "Create",
          [prev ? "updatedAlarm" : "createdAlarm"]: { alarmName: c.name, alarmArn: c.arn, alarmRule: c.rule, actionsEnabled: c.actionsEnabled },
        }), // unverified field set
      });
      evaluateComposite(ctx, c, now);
    });
    return {};
  },

  putMetricAlarm(input: PutMetricAlarmInput, ctx: HandlerContext) {
    // One name, one alarm: a composite's name is not taken over by a metric alarm.
    if (compositeState.of(ctx).composites.has(input.AlarmName))
      throw validation(`The alarm ${input.AlarmName} already exists as a composite alarm and cannot be replaced by a metric alarm.`); // unverified wording
    return alarms.putMetricAlarm(input, ctx);
  },

  describeAlarms(input: DescribeAlarmsInput, ctx: HandlerContext) {
    const related = input.ChildrenOfAlarmName ?? input.ParentsOfAlarmName;
    if (related !== undefined) return relatives(input, ctx, related);
    const types = input.AlarmTypes ?? ["MetricAlarm"];
    if (!types.includes("CompositeAlarm")) return alarms.describeAlarms(input, ctx);
    // Both kinds in one listing ordered by name, MaxRecords counting both, one NextToken across them (unverified:
    // AWS's order between the two kinds).
    const metric: (AlarmRec | CompositeRec)[] = types.includes("MetricAlarm") ? listMetricAlarms(input, ctx) : [];
    const t = compositeState.of(ctx).composites;
    let list: CompositeRec[] = input.AlarmNames?.length
      ? [...new Set(input.AlarmNames)].sort().flatMap((n) => t.get(n) ?? [])
      : t.list(input.AlarmNamePrefix ? { prefix: input.AlarmNamePrefix } : {}).map((e) => e.value);
    if (input.StateValue) list = list.filter((c) => c.state === input.StateValue);
    if (input.ActionPrefix) {
      const p = input.ActionPrefix;
      list = list.filter((c) => [...c.okActions, ...c.alarmActions, ...c.insufficientDataActions].some((x) => x.startsWith(p)));
    }
    const all = [...metric, ...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = pageByKey(all, (a) => a.name, {
      operation: "DescribeAlarms",
      token: input.NextToken,
      max: input.MaxRecords ?? 50,
      invalid: () => new InvalidNextToken("The service cannot process the NextToken."), // unverified wording
      bind: describeBinding(input, ctx),
    });
    const out: { MetricAlarms: MetricAlarm[]; CompositeAlarms: CompositeAlarm[]; NextToken?: string } = { MetricAlarms: [], CompositeAlarms: [] };
    for (const a of page.items) {
      if ("rule" in a) out.CompositeAlarms.push(toCompositeAlarm(a));
      else out.MetricAlarms.push(toMetricAlarm(a));
    }
    if (page.next) out.NextToken = page.next;
    return out;
  },

  deleteAlarms(input: DeleteAlarmsInput, ctx: HandlerContext) {
    const t = compositeState.of(ctx).composites;
    const deleting = new Set(input.AlarmNames);
    // Missing names are skipped, as AWS does (alarms.ts deleteAlarms). An alarm a remaining composite names (as a child
    // or its suppressor) is kept: none is deleted.
    const used = new Set<string>();
    for (const { value: c } of t.list()) {
      if (deleting.has(c.name)) continue;
      for (const n of [...c.children, ...(c.suppressor ? [c.suppressor] : [])]) if (deleting.has(n)) used.add(n);
    }
    // AWS's wording, as users quote it: "Cannot delete abc,xyz as there are composite alarm(s) depending on them."
    // (cloud-custodian/cloud-custodian#7763) and "... depending on it." for one (ekristen/aws-nuke#462).
    if (used.size) throw validation(`Cannot delete ${[...used].join(",")} as there are composite alarm(s) depending on ${used.size === 1 ? "it" : "them"}.`);
    const metric = input.AlarmNames.filter((n) => !t.has(n));
    const now = ctx.now();
    transaction(ctx, () => {
      for (const n of deleting) {
        const c = t.get(n);
        if (!c) continue;
        t.delete(n);
        addHistory(ctx, {
          alarmName: n,
          alarmType: "CompositeAlarm",
          timestamp: now,
          type: "ConfigurationUpdate",
          summary: `Alarm "${n}" deleted`,
          data: JSON.stringify({ version: "1.0", type: "Delete", deletedAlarm: { alarmName: n, alarmArn: c.arn, alarmRule: c.rule } }),
        });
      }
      if (metric.length) alarms.deleteAlarms({ AlarmNames: metric }, ctx);
    });
    return {};
  },

  setAlarmState(input: SetAlarmStateInput, ctx: HandlerContext) {
    const c = compositeState.of(ctx).composites.get(input.AlarmName);
    if (!c) return alarms.setAlarmState(input, ctx);
    checkReasonData(input.StateReasonData);
    const now = ctx.now();
    if (c.state !== input.StateValue) transaction(ctx, () => transitionComposite(ctx, c, input.StateValue, input.StateReason, input.StateReasonData, now));
    return {};
  },

  enableAlarmActions(input: EnableAlarmActionsInput, ctx: HandlerContext) {
    setActionsEnabled(ctx, input.AlarmNames, true);
    return alarms.enableAlarmActions(input, ctx);
  },

  disableAlarmActions(input: DisableAlarmActionsInput, ctx: HandlerContext) {
    setActionsEnabled(ctx, input.AlarmNames, false);
    return alarms.disableAlarmActions(input, ctx);
  },
};

function setActionsEnabled(ctx: HandlerContext, names: string[], enabled: boolean): void {
  const t = compositeState.of(ctx).composites;
  transaction(ctx, () => {
    for (const n of names) {
      const c = t.get(n);
      if (!c || c.actionsEnabled === enabled) continue;
      c.actionsEnabled = enabled;
      t.put(n, c);
    }
  });
}

/** DescribeAlarms with ChildrenOfAlarmName (the composite's children) or ParentsOfAlarmName (the composites naming it). */
function relatives(input: DescribeAlarmsInput, ctx: HandlerContext, name: string) {
  // AWS: with either parameter only MaxRecords and NextToken may be given. unverified wording
  if (input.ChildrenOfAlarmName && input.ParentsOfAlarmName)
    throw new InvalidParameterCombinationException(
      "The parameters ChildrenOfAlarmName and ParentsOfAlarmName are mutually exclusive and you have specified both.",
    );
  if (input.AlarmNames?.length || input.AlarmNamePrefix || input.StateValue || input.ActionPrefix)
    throw new InvalidParameterCombinationException(
      `If ${input.ChildrenOfAlarmName ? "ChildrenOfAlarmName" : "ParentsOfAlarmName"} is specified, only MaxRecords and NextToken may be specified as well.`,
    );
  const composites = compositeState.of(ctx).composites;
  const metricTable = alarmState.of(ctx).alarms;
  let names: string[];
  if (input.ChildrenOfAlarmName) names = composites.get(name)?.children ?? [];
  else names = composites.list().flatMap(({ value: c }) => (c.children.includes(name) ? [c.name] : []));
  const sorted = [...new Set(names)].sort();
  const page = pageByKey(sorted, (n) => n, {
    operation: "DescribeAlarms",
    token: input.NextToken,
    max: input.MaxRecords ?? 50,
    invalid: () => new InvalidNextToken("The service cannot process the NextToken."), // unverified wording
    bind: fingerprint([ctx.account, ctx.region, input.ChildrenOfAlarmName, input.ParentsOfAlarmName]),
  });
  const out: { MetricAlarms: MetricAlarm[]; CompositeAlarms: CompositeAlarm[]; NextToken?: string } = { MetricAlarms: [], CompositeAlarms: [] };
  for (const n of page.items) {
    const m = metricTable.get(n);
    if (m) out.MetricAlarms.push(toMetricAlarm(m));
    const c = composites.get(n);
    if (c) out.CompositeAlarms.push(toCompositeAlarm(c));
  }
  if (page.next) out.NextToken = page.next;
  return out;
}
