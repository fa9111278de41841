// When alarms are evaluated: on AWS's cadence — every minute, and every 10 seconds for alarms with 10-, 20- or
// 30-second periods — over every stored alarm (so evaluation resumes after a restart), and as soon as a datapoint of
// an alarm's metric arrives (PutMetricData calls alarmsOnData).
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import type { MetricKey } from "../../core/store/metrics.js";
import { type AlarmRec, alarmState, metricIndexPrefix } from "./alarm-state.js";
import { repeatActions } from "./alarm-actions.js";
import { evaluateAndApply } from "./alarms.js";

export const TICK_MS = 10_000;

/** Evaluates the alarms watching each metric just written to (their keys as the metric store has them). */
export function alarmsOnData(ctx: HandlerContext, metrics: readonly MetricKey[]): void {
  const t = alarmState.of(ctx);
  // Most writes have no alarm to wake: one count, and one read of the index when it is smaller than the write.
  const indexed = t.alarmsByMetric.count();
  if (!indexed) return;
  const now = ctx.now();
  const prefixes = new Set(metrics.map((m) => metricIndexPrefix(m.namespace, m.name, m.dims)));
  const names: string[] =
    indexed <= prefixes.size
      ? t.alarmsByMetric
          .list()
          .filter((e) => prefixes.has(e.key.slice(0, e.key.indexOf("\n") + 1)))
          .map((e) => e.value)
      : [...prefixes].flatMap((prefix) => t.alarmsByMetric.list({ prefix }).map((e) => e.value));
  for (const name of names) {
    const a = t.alarms.get(name);
    if (a) evaluateAndApply(ctx, a, now);
  }
}

/**
 * One tick: the alarms due — sub-minute ones every tick, the others on the minute, and alarms whose evaluation spans
 * more than a day on the hour (AWS: "the alarm is evaluated once per hour").
 */
export function evaluateDue(host: ServiceHost, now: number, everything: boolean, hourly = everything): void {
  for (const scope of alarmState.all(host, "alarms")) {
    const due: AlarmRec[] = scope.tables.alarms
      .list()
      .map((e) => e.value)
      .filter((a) => (a.period < 60 ? true : a.period * a.evaluationPeriods > 86_400 ? hourly : everything));
    if (!due.length) continue;
    const ctx = host.context("cloudwatch", "EvaluateAlarm", host.rootIdentity(scope.account, scope.region));
    for (const a of due) {
      try {
        evaluateAndApply(ctx, a, now);
        // On the minute: the Auto Scaling policy actions of an alarm that stays in its state run again.
        if (everything) repeatActions(ctx, a, now);
      } catch (e) {
        host.logger.error(`cloudwatch: evaluating alarm ${a.name} failed`, e);
      }
    }
  }
}

/** Starts the cadence; returns its cancel. An evaluation of everything runs at once (resuming after a restart). */
export function startAlarmEvaluation(host: ServiceHost): () => void {
  let lastMinute = Number.NEGATIVE_INFINITY;
  let lastHour = Number.NEGATIVE_INFINITY;
  const tick = () => {
    const now = host.clock.now();
    // Minute alarms on the first tick of each minute, day-spanning ones on the first of each hour.
    const m = Math.floor(now / 60_000);
    const h = Math.floor(now / 3_600_000);
    evaluateDue(host, now, m !== lastMinute, h !== lastHour);
    lastMinute = m;
    lastHour = h;
  };
  tick();
  return host.scheduler.every(TICK_MS, tick);
}
