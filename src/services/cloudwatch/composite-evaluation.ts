// Composite alarm evaluation: a composite is evaluated when it is saved and whenever one of its children (metric or
// composite alarms) changes state; its own change re-evaluates its parents in turn. Its state reason and
// StateReasonData are AWS's: `arn:aws:cloudwatch:us-east-2:123456789012:alarm:child transitioned to ALARM at Sunday 30
// October, 2022 20:47:35 UTC` and `{"triggeringAlarms":[{"arn":"…","state":{"value":"ALARM","timestamp":"2022-10-30T20:47:35.671+0000"}}]}`
// (DescribeAlarms answers and alarm events AWS sent, quoted in public code and LocalStack's recorded snapshots).
// Actions run on transitions, held back by an ActionsSuppressor as AWS documents ("Alarm suppression" in
// Create_Composite_Alarm.html): while the suppressor is in ALARM the actions are suppressed; on entering ALARM the
// composite waits ActionsSuppressorWaitPeriod seconds for the suppressor to go into ALARM; after the suppressor leaves
// ALARM the actions stay suppressed for ActionsSuppressorExtensionPeriod seconds, then run if the state holds.
import { parseArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import { transaction } from "../../core/state.js";
import type { StateValue } from "./api.generated.js";
import { awsJson, awsTime, RawJson } from "./alarm-evaluation.js";
import { addHistory } from "./alarm-history.js";
import { evaluateRule, parseAlarmRule } from "./alarm-rule.js";
import { alarmState } from "./alarm-state.js";
import { compositeLambdaEvent, fireCompositeActions } from "./composite-actions.js";
import { putStateChangeEvent } from "./alarm-events.js";
import { type CompositeRec, compositeState, type PendingActions } from "./composite-state.js";

/** Default wait and extension periods when a suppressor is given without them. unverified (the console's default) */
export const DEFAULT_SUPPRESSOR_PERIOD = 60;

export const alarmArnOf = (ctx: { account: string; region: string }, name: string): string => `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${name}`;

/** The alarm name a rule reference (a name or an ARN of this account and region) names; undefined for a foreign ARN. */
export function refName(ctx: { account: string; region: string }, ref: string): string | undefined {
  if (!ref.startsWith("arn:")) return ref;
  const a = parseArn(ref);
  const m = a && a.service === "cloudwatch" ? /^alarm:(.+)$/.exec(a.resource) : null;
  if (!m || a!.account !== ctx.account || a!.region !== ctx.region) return undefined;
  return m[1];
}

interface ChildState {
  state: StateValue;
  at: number;
}

export function childState(ctx: HandlerContext, name: string): ChildState | undefined {
  const m = alarmState.of(ctx).alarms.get(name);
  if (m) return { state: m.state, at: m.stateUpdated };
  const c = compositeState.of(ctx).composites.get(name);
  return c ? { state: c.state, at: c.stateUpdated } : undefined;
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** `Sunday 30 October, 2022 20:47:35 UTC` (the day of the month unpadded: unverified). */
function reasonTime(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

/** Evaluates the composite now and moves it when its state changes; `trigger` is the child whose change woke it. */
export function evaluateComposite(ctx: HandlerContext, c: CompositeRec, now: number, trigger?: string, depth = 0): void {
  const states = new Map<string, ChildState | undefined>();
  const lookup = (ref: string) => {
    const name = refName(ctx, ref);
    if (name === undefined) return undefined;
    if (!states.has(name)) states.set(name, childState(ctx, name));
    return states.get(name)?.state;
  };
  const used = new Map<string, boolean>();
  const value = evaluateRule(parseAlarmRule(c.rule).root, lookup, used);
  const to: StateValue = value ? "ALARM" : "OK";
  if (to === c.state) return;
  // The triggering alarms: the children whose state decided the rule's value (their function's value matches it).
  const triggering = [...new Set([...used].filter(([, v]) => v === value).map(([ref]) => refName(ctx, ref)!))].filter((n) => states.get(n));
  const list = triggering.map((n) => ({ name: n, ...states.get(n)! }));
  list.sort((a, b) => (a.name === trigger ? -1 : b.name === trigger ? 1 : b.at - a.at));
  const data = {
    triggeringAlarms: list.map((x) => ({ arn: alarmArnOf(ctx, x.name), state: { value: x.state, timestamp: awsTime(x.at) } })),
  };
  const first = list[0];
  const reason = first
    ? `${alarmArnOf(ctx, first.name)} transitioned to ${first.state} at ${reasonTime(first.at)}`
    : `The alarm rule evaluated to ${value ? "TRUE" : "FALSE"}`; // unverified wording (a rule of constants only)
  transitionComposite(ctx, c, to, reason, JSON.stringify(data), now, depth);
}

/** Moves the composite to `state` (stored, a StateUpdate history item), runs or holds back its actions, then wakes its parents. */
export function transitionComposite(
  ctx: HandlerContext,
  c: CompositeRec,
  state: StateValue,
  reason: string,
  reasonData: string | undefined,
  now: number,
  depth = 0,
): void {
  const old = { value: c.state, reason: c.stateReason, reasonData: c.stateReasonData, at: c.stateUpdated };
  const oldState: Record<string, unknown> = { stateValue: c.state, stateReason: c.stateReason };
  if (c.stateReasonData) oldState.stateReasonData = new RawJson(c.stateReasonData);
  const newState: Record<string, unknown> = { stateValue: state, stateReason: reason };
  if (reasonData) newState.stateReasonData = new RawJson(reasonData);
  c.state = state;
  c.stateReason = reason;
  c.stateReasonData = reasonData;
  c.stateUpdated = now;
  c.stateTransitioned = now;
  c.pending = undefined;
  c.suppressedBy = undefined;
  c.suppressedReason = undefined;
  if (c.actionsEnabled) actOrHold(ctx, c, old, now);
  compositeState.of(ctx).composites.put(c.name, c);
  addHistory(ctx, {
    alarmName: c.name,
    alarmType: "CompositeAlarm",
    timestamp: now,
    type: "StateUpdate",
    summary: `Alarm updated from ${old.value} to ${state}`,
    data: awsJson({ version: "1.0", oldState, newState }),
  });
  const snapshot = { ...c };
  putStateChangeEvent(ctx, c.arn, now, () => compositeLambdaEvent(snapshot, ctx.account, ctx.region, old).alarmData as Record<string, unknown>);
  onAlarmStateChange(ctx, c.name, now, depth + 1);
}

/** Runs the composite's actions for its new state now, or holds them back as its suppressor says. */
function actOrHold(ctx: HandlerContext, c: CompositeRec, old: PendingActions["old"], now: number): void {
  const sup = c.suppressor ? childState(ctx, c.suppressor) : undefined;
  if (!c.suppressor || !sup) return fireCompositeActions(ctx, c, old);
  if (sup.state === "ALARM") return suppress(c, "Alarm");
  if (c.extensionUntil !== undefined && now < c.extensionUntil) {
    c.pending = { state: c.state, old, until: c.extensionUntil, by: "ExtensionPeriod" };
    return suppress(c, "ExtensionPeriod");
  }
  if (c.state === "ALARM") {
    c.pending = { state: c.state, old, until: now + (c.suppressorWait ?? DEFAULT_SUPPRESSOR_PERIOD) * 1000, by: "WaitPeriod" };
    return suppress(c, "WaitPeriod");
  }
  fireCompositeActions(ctx, c, old);
}

function suppress(c: CompositeRec, by: CompositeRec["suppressedBy"]): void {
  c.suppressedBy = by;
  // unverified wordings
  c.suppressedReason =
    by === "Alarm"
      ? `Alarm is in ALARM state: ${c.suppressor}`
      : by === "WaitPeriod"
        ? `Actions suppressed by WaitPeriod: waiting for ${c.suppressor} to go into ALARM state`
        : `Actions suppressed by ExtensionPeriod: ${c.suppressor} left ALARM state`;
}

/** An alarm changed state: evaluates the composites it is a child of and updates those it suppresses. */
export function onAlarmStateChange(ctx: HandlerContext, name: string, now: number, depth = 0): void {
  const t = compositeState.of(ctx).composites;
  if (depth > 100 || !t.count()) return; // rules form no cycle (PutCompositeAlarm refuses one); a guard nonetheless
  const related = t
    .list()
    .filter(({ value: c }) => c.suppressor === name || c.children.includes(name))
    .map((e) => e.key);
  // Each read afresh: evaluating one composite can move another (its parent) before the loop reaches it.
  for (const key of related) {
    const c = t.get(key);
    if (c?.suppressor === name) suppressorChanged(ctx, c, now);
    const fresh = t.get(key);
    if (fresh?.children.includes(name)) evaluateComposite(ctx, fresh, now, name, depth);
  }
}

function suppressorChanged(ctx: HandlerContext, c: CompositeRec, now: number): void {
  const sup = childState(ctx, c.suppressor!);
  const t = compositeState.of(ctx).composites;
  if (sup?.state === "ALARM") {
    // Pending actions are dropped: the suppressor went into ALARM in time.
    c.extensionUntil = undefined;
    if (c.pending || c.suppressedBy) {
      c.pending = undefined;
      suppress(c, "Alarm");
    }
  } else if (c.suppressedBy === "Alarm" || c.extensionUntil === undefined) {
    // The suppressor left ALARM: the extension period starts; actions the composite's state still calls for run after it.
    const until = now + (c.suppressorExtension ?? DEFAULT_SUPPRESSOR_PERIOD) * 1000;
    c.extensionUntil = until;
    if (c.suppressedBy === "Alarm" && c.actionsEnabled) {
      c.pending = {
        state: c.state,
        old: { value: c.state, reason: c.stateReason, reasonData: c.stateReasonData, at: c.stateUpdated },
        until,
        by: "ExtensionPeriod",
      };
      suppress(c, "ExtensionPeriod");
    }
  }
  t.put(c.name, c);
}

/** Runs the held-back actions whose wait or extension period has ended (the composite still in that state). */
export function runDueActions(host: ServiceHost, now: number): void {
  for (const scope of compositeState.all(host, "composites")) {
    const due = scope.tables.composites
      .list()
      .map((e) => e.value)
      .filter((c) => (c.pending && c.pending.until <= now) || (c.extensionUntil !== undefined && c.extensionUntil <= now));
    if (!due.length) continue;
    const ctx = host.context("cloudwatch", "EvaluateAlarm", host.rootIdentity(scope.account, scope.region));
    for (const c of due) {
      try {
        transaction(ctx, () => {
          const p = c.pending;
          if (c.extensionUntil !== undefined && c.extensionUntil <= now) c.extensionUntil = undefined;
          if (p && p.until <= now) {
            c.pending = undefined;
            c.suppressedBy = undefined;
            c.suppressedReason = undefined;
            const sup = childState(ctx, c.suppressor ?? "");
            if (sup?.state === "ALARM") suppress(c, "Alarm");
            else if (c.state === p.state && c.actionsEnabled) fireCompositeActions(ctx, c, p.old);
          }
          scope.tables.composites.put(c.name, c);
        });
      } catch (e) {
        host.logger.error(`cloudwatch: composite alarm ${c.name}'s actions failed`, e);
      }
    }
  }
}
