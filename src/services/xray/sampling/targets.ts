// GetSamplingTargets and GetSamplingStatisticSummaries: what the X-Ray SDKs call every 10 seconds with the counts of
// the requests each rule matched, sampled and borrowed. Each rule's reservoir (ReservoirSize traces a second) is
// divided among the clients that reported for it within the last interval: ReservoirSize / n each, and the remainder
// handed out in turn (each rule counts its reports; report k gets one more when k mod n < ReservoirSize mod n), so the
// quotas of any n consecutive reports — one round of the clients — add up to the reservoir; with the rule's FixedRate, the quota's TTL
// (the end of the next interval) and Interval 10. The shape of the answer — Interval 10, UnprocessedStatistics present
// and empty, LastRuleModification the latest ModifiedAt — follows awscli's examples/xray/get-sampling-targets.rst; how
// AWS weighs the split between clients is not documented ("X-Ray calculates a new reservoir for each service based on
// the recent sampling results of all services", API_SamplingTargetDocument).
//
// Kept in memory (running.ts): the clients and the statistics. A restart forgets them; clients report again within
// one interval. Per call the work is a few map operations per document, whatever the number of clients (each rule's
// clients are kept in the order they last reported, so the stale ones are at the front): no store reads once the
// region's rules are in view.
import type { HandlerContext } from "../../../core/context.js";
import type { SamplingStatisticSummary, SamplingTargetDocument, UnprocessedStatistics, XrayApi } from "../api.generated.js";
import { RULE_NOT_FOUND, rulesView } from "./rules.js";
import { regionKey, samplingRunning, type RuleUsage, type StatWindow } from "./running.js";

/** Seconds between a client's GetSamplingTargets calls, as AWS answers it. */
export const INTERVAL_S = 10;
const INTERVAL_MS = INTERVAL_S * 1000;
/** The SDKs add up to 100 ms of jitter to the interval (aws-xray-sdk-core target_poller): a client still counts a second after. */
const ACTIVE_MS = INTERVAL_MS + 1000;
/** Statistic windows kept per rule for GetSamplingStatisticSummaries. */
const STATS_KEPT_MS = 60 * 60 * 1000;

function usageOf(ctx: HandlerContext, rule: string): RuleUsage {
  const usage = samplingRunning(ctx).usage;
  const key = `${regionKey(ctx)}/${rule}`;
  let u = usage.get(key);
  if (!u) usage.set(key, (u = { clients: new Map(), turn: 0, windows: [] }));
  return u;
}

function record(u: RuleUsage, now: number, d: { RequestCount: number; SampledCount: number; BorrowCount?: number }): void {
  const start = now - (now % INTERVAL_MS);
  let w: StatWindow | undefined = u.windows[u.windows.length - 1];
  if (!w || w.start !== start) {
    while (u.windows.length && u.windows[0].start < now - STATS_KEPT_MS) u.windows.shift();
    u.windows.push((w = { start, requests: 0, sampled: 0, borrowed: 0 }));
  }
  w.requests += d.RequestCount;
  w.sampled += d.SampledCount;
  w.borrowed += d.BorrowCount ?? 0;
}

/** A client reports: it moves to the back of the rule's clients, and those silent for longer than an interval go. */
function seen(u: RuleUsage, client: string, now: number): void {
  u.clients.delete(client);
  u.clients.set(client, now);
  for (const [id, at] of u.clients) {
    if (now - at <= ACTIVE_MS) break;
    u.clients.delete(id);
  }
}

/** The next report's share of the reservoir among the rule's active clients (see the header). */
function quotaFor(u: RuleUsage, reservoir: number): number {
  const n = u.clients.size;
  return Math.floor(reservoir / n) + (u.turn++ % n < reservoir % n ? 1 : 0);
}

export const targetHandlers = {
  getSamplingTargets({ SamplingStatisticsDocuments, SamplingBoostStatisticsDocuments }, ctx) {
    const view = rulesView(ctx);
    const now = ctx.now();
    const known = SamplingStatisticsDocuments.filter((d) => view.byName.has(d.RuleName));
    const unprocessed: UnprocessedStatistics[] = SamplingStatisticsDocuments.filter((d) => !view.byName.has(d.RuleName)).map((d) => ({
      RuleName: d.RuleName,
      // unverified: the code X-Ray gives a statistics document of an unknown rule; the message is its not-found one
      ErrorCode: "400",
      Message: RULE_NOT_FOUND,
    }));
    // Every client is counted before any quota is worked out, so two documents of one call see each other.
    for (const d of known) {
      const u = usageOf(ctx, d.RuleName);
      seen(u, d.ClientID, now);
      record(u, now, d);
    }
    const ttl = new Date(Math.ceil((now + INTERVAL_MS) / 1000) * 1000);
    const documents: SamplingTargetDocument[] = known.map((d) => {
      const rule = view.byName.get(d.RuleName)!.rule;
      return {
        RuleName: d.RuleName,
        FixedRate: rule.FixedRate,
        ReservoirQuota: quotaFor(usageOf(ctx, d.RuleName), rule.ReservoirSize),
        ReservoirQuotaTTL: ttl,
        Interval: INTERVAL_S,
      };
    });
    // Stratus grants no sampling boosts (it does not detect anomalies); boost statistics of unknown rules are refused
    // like the others.
    const unprocessedBoost = (SamplingBoostStatisticsDocuments ?? [])
      .filter((d) => !view.byName.has(d.RuleName))
      .map((d) => ({ RuleName: d.RuleName, ErrorCode: "400", Message: RULE_NOT_FOUND }));
    return {
      SamplingTargetDocuments: documents,
      LastRuleModification: new Date(view.lastModified),
      UnprocessedStatistics: unprocessed,
      ...(SamplingBoostStatisticsDocuments ? { UnprocessedBoostStatistics: unprocessedBoost } : {}),
    };
  },
  getSamplingStatisticSummaries(_input, ctx) {
    const usage = samplingRunning(ctx).usage;
    const prefix = `${regionKey(ctx)}/`;
    const since = ctx.now() - STATS_KEPT_MS;
    const out: SamplingStatisticSummary[] = [];
    for (const rec of rulesView(ctx).list) {
      const u = usage.get(prefix + rec.rule.RuleName);
      for (const w of u?.windows ?? []) {
        if (w.start < since) continue;
        out.push({ RuleName: rec.rule.RuleName, Timestamp: new Date(w.start), RequestCount: w.requests, BorrowCount: w.borrowed, SampledCount: w.sampled });
      }
    }
    return { SamplingStatisticSummaries: out };
  },
} satisfies Partial<XrayApi>;
