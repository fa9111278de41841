// The sampling side's running instance: what GetSamplingTargets keeps in memory because every SDK client calls it
// every 10 seconds — each rule's reporting clients (for dividing its reservoir) and its statistics per 10-second
// window (GetSamplingStatisticSummaries) — and a per-region view of the rules, rebuilt after any write. None of it
// needs to survive a restart: clients report again within one interval, and the rules are read back from the store.
import type { HandlerContext } from "../../../core/context.js";
import type { RuleRec } from "./state.js";

/** One rule's rules-side view: every rule of the region (Default included) by name, and the latest change. */
export interface RulesView {
  /** Sorted by name, as GetSamplingRules answers. */
  list: RuleRec[];
  byName: Map<string, RuleRec>;
  /** The latest ModifiedAt of any rule (epoch ms): GetSamplingTargets' LastRuleModification. */
  lastModified: number;
}

export interface StatWindow {
  /** Start of the 10-second window (epoch ms). */
  start: number;
  requests: number;
  sampled: number;
  borrowed: number;
}

export interface RuleUsage {
  /** ClientID → when it last reported (epoch ms), in the order they last reported (oldest first). */
  clients: Map<string, number>;
  /** Reports answered so far: whose turn it is for the reservoir's remainder. */
  turn: number;
  /** Oldest first; windows older than STATS_KEPT_MS dropped as new ones open. */
  windows: StatWindow[];
}

export interface SamplingRunning {
  /** `<account>/<region>` → the region's rules, until a write changes them. */
  rules: Map<string, RulesView>;
  /** `<account>/<region>/<rule>` → its usage. */
  usage: Map<string, RuleUsage>;
}

/** What X-Ray's running instance carries for its sampling half (index.ts's start hook returns `{ sampling, … }`). */
export interface WithSampling {
  sampling: SamplingRunning;
}

/** The sampling half's start: an empty in-memory state (quotas and statistics rebuild as clients report). */
export function startSampling(): SamplingRunning {
  return { rules: new Map(), usage: new Map() };
}

export function samplingRunning(ctx: HandlerContext): SamplingRunning {
  const running = ctx.instance<WithSampling | undefined>()?.sampling;
  if (!running) throw new Error("X-Ray's start hook did not start its sampling half (startSampling in sampling/running.ts)");
  return running;
}

export const regionKey = (ctx: Pick<HandlerContext, "account" | "region">): string => `${ctx.account}/${ctx.region}`;
