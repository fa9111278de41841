// PutProjectEvents (custom events and client-side evaluation events, kept for results and delivered to the
// project's DataDelivery) and GetExperimentResults, computed from the recorded events: an entity belongs to the
// treatment its evaluations of the experiment gave it; a custom event counts for a metric when the metric's
// eventPattern (an EventBridge pattern over the event's data) matches it, its entity is read at entityIdKey and its
// value at valueKey (JSON paths, `$.a.b`). Stratus computes the Mean base statistic per treatment and metric —
// cumulative, at each period's end — and nothing it cannot compute honestly: TreatmentEffect, confidence intervals,
// p-values and the BayesianInference report are left out and `details` says so.
import { uuid4 } from "../../core/ids.js";
import { ValidationException, type EvidentlyApi, type ExperimentResultsData, type PutProjectEventsResultEntry } from "./api.generated.js";
import { eventLine, queueDelivery } from "./delivery.js";
import { findExperiment } from "./experiments.js";
import { metricPattern } from "./launches.js";
import { eventKey, findProject, tables, type ExperimentRec } from "./state.js";

/** AWS's words when an experiment has no events to compute from (GetExperimentResults' `details`). */
export const NOT_ENOUGH = "Not enough events to generate results";

function at(doc: unknown, path: string): unknown {
  let v = doc;
  for (const k of path
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)) {
    if (!v || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function checkStarted(e: ExperimentRec): void {
  if (e.status === "CREATED" || e.started === undefined) throw new ValidationException(`Experiment ${e.name} has not started yet.`); // unverified wording
}

export const projectEvents = {
  putProjectEvents(input, ctx) {
    const p = findProject(ctx, input.project);
    const t = tables(ctx);
    const lines: string[] = [];
    const eventResults: PutProjectEventsResultEntry[] = [];
    let failed = 0;
    for (const ev of input.events) {
      const eventId = uuid4();
      let ok = true;
      try {
        const doc = JSON.parse(ev.data) as unknown;
        ok = !!doc && typeof doc === "object" && !Array.isArray(doc);
      } catch {
        ok = false;
      }
      if (!ok) {
        failed++;
        eventResults.push({ eventId, errorCode: "ValidationException", errorMessage: "The event data must be a JSON object." }); // unverified wording
        continue;
      }
      const ts = ev.timestamp.getTime();
      t.events.put(eventKey(p.name, ts, eventId), { type: ev.type, timestamp: ts, data: ev.data });
      if (p.dataDelivery) lines.push(eventLine(p, ev.type, ts, ev.data));
      eventResults.push({ eventId });
    }
    queueDelivery(ctx, p, lines);
    return { eventResults, failedEventCount: failed };
  },
  getExperimentResults(input, ctx) {
    const p = findProject(ctx, input.project);
    const e = findExperiment(ctx, p.name, input.experiment);
    checkStarted(e);
    const goals = new Map(e.metricGoals.map((g) => [g.metricDefinition.name, g.metricDefinition]));
    for (const m of input.metricNames) if (!goals.has(m)) throw new ValidationException(`Metric ${m} is not a metric of experiment ${e.name}.`); // unverified wording
    for (const tr of input.treatmentNames)
      if (!e.treatments.some((x) => x.name === tr)) throw new ValidationException(`Treatment ${tr} is not a treatment of experiment ${e.name}.`); // unverified wording
    const start = input.startTime?.getTime() ?? e.started!;
    const end = input.endTime?.getTime() ?? e.ended ?? ctx.now();
    if (end < start) throw new ValidationException("endTime must be after startTime."); // unverified wording
    const period = (input.period ?? 0) * 1000;
    const stamps: number[] = [];
    if (period > 0) for (let s = start + period; s < end && stamps.length < 1000; s += period) stamps.push(s);
    stamps.push(end);

    const treatmentOf = new Map<string, string>();
    const custom: { ts: number; doc: unknown }[] = [];
    for (const { value: ev } of tables(ctx).events.list({ prefix: `${p.name}|`, after: eventKey(p.name, start, "") })) {
      if (ev.timestamp > end) break;
      const doc = JSON.parse(ev.data) as Record<string, unknown>;
      if (ev.type === "aws.evidently.evaluation") {
        if (doc.experiment === e.name && typeof doc.entityId === "string" && typeof doc.treatment === "string" && !treatmentOf.has(doc.entityId))
          treatmentOf.set(doc.entityId, doc.treatment);
      } else custom.push({ ts: ev.timestamp, doc });
    }

    const resultsData: ExperimentResultsData[] = [];
    let any = false;
    const wantMean = !input.resultStats?.length || input.resultStats.includes("BaseStat");
    for (const name of input.metricNames) {
      const def = goals.get(name)!;
      const pattern = def.eventPattern ? metricPattern(def.eventPattern) : undefined;
      const samples = new Map<string, { ts: number; v: number }[]>();
      for (const c of custom) {
        if (pattern && !pattern.matches(c.doc)) continue;
        const entity = at(c.doc, def.entityIdKey);
        const v = at(c.doc, def.valueKey);
        const tr = typeof entity === "string" ? treatmentOf.get(entity) : undefined;
        if (tr === undefined || typeof v !== "number") continue;
        let list = samples.get(tr);
        if (!list) samples.set(tr, (list = []));
        list.push({ ts: c.ts, v });
        any = true;
      }
      if (!wantMean) continue;
      for (const tr of input.treatmentNames) {
        const list = samples.get(tr) ?? [];
        const values = stamps.map((s) => {
          const upTo = list.filter((x) => x.ts <= s);
          return upTo.length ? upTo.reduce((a, x) => a + x.v, 0) / upTo.length : Number.NaN;
        });
        if (values.some((v) => !Number.isNaN(v)))
          resultsData.push({ metricName: name, treatmentName: tr, resultStat: "Mean", values: values.map((v) => (Number.isNaN(v) ? 0 : v)) });
      }
    }
    const skipped = [...(input.resultStats ?? []).filter((s) => s !== "BaseStat"), ...(input.reportNames ?? [])];
    const details = !any ? NOT_ENOUGH : skipped.length ? `Stratus computes only the Mean base statistic; not computed: ${skipped.join(", ")}.` : undefined;
    return { resultsData, timestamps: stamps.map((s) => new Date(s)), reports: [], ...(details ? { details } : {}) };
  },
} satisfies Partial<EvidentlyApi>;
