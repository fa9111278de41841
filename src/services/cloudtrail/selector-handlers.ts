// PutEventSelectors/GetEventSelectors and PutInsightSelectors/GetInsightSelectors on a trail (its home region).
import { InvalidInsightSelectorsException, InvalidParameterCombinationException, type CloudtrailApi, type InsightSelector } from "./api.generated.js";
import { defaultSelectors, validateSelectors } from "./selectors.js";
import { ctState } from "./state.js";
import { engine, findTrail, ownTrail } from "./trails.js";

const INSIGHT_TYPES = new Set(["ApiCallRateInsight", "ApiErrorRateInsight"]);

export const selectorHandlers = {
  putEventSelectors(input, ctx) {
    const rec = ownTrail(ctx, input.TrailName);
    validateSelectors(input.EventSelectors, input.AdvancedEventSelectors);
    rec.eventSelectors = input.EventSelectors;
    rec.advancedEventSelectors = input.AdvancedEventSelectors;
    ctState.of(ctx).trails.put(rec.name, rec);
    engine(ctx).changed();
    return { TrailARN: rec.arn, EventSelectors: rec.eventSelectors, AdvancedEventSelectors: rec.advancedEventSelectors };
  },

  getEventSelectors(input, ctx) {
    const rec = findTrail(ctx, input.TrailName);
    if (rec.advancedEventSelectors) return { TrailARN: rec.arn, AdvancedEventSelectors: rec.advancedEventSelectors };
    return { TrailARN: rec.arn, EventSelectors: rec.eventSelectors ?? defaultSelectors() };
  },

  putInsightSelectors(input, ctx) {
    if (input.EventDataStore || input.InsightsDestination) {
      throw new InvalidParameterCombinationException("Stratus does not support CloudTrail Lake event data stores; give TrailName."); // Stratus's own wording
    }
    if (!input.TrailName) throw new InvalidParameterCombinationException("You must specify a TrailName."); // unverified wording
    const rec = ownTrail(ctx, input.TrailName);
    const seen = new Set<string>();
    for (const s of input.InsightSelectors) {
      if (!s.InsightType || !INSIGHT_TYPES.has(s.InsightType) || seen.has(s.InsightType)) {
        throw new InvalidInsightSelectorsException("The InsightSelectors are invalid."); // unverified wording
      }
      seen.add(s.InsightType);
    }
    const selectors: InsightSelector[] = input.InsightSelectors.map((s) => ({ InsightType: s.InsightType }));
    rec.insightSelectors = selectors.length ? selectors : undefined;
    ctState.of(ctx).trails.put(rec.name, rec);
    engine(ctx).changed();
    return { TrailARN: rec.arn, InsightSelectors: selectors };
  },

  getInsightSelectors(input, ctx) {
    if (!input.TrailName) throw new InvalidParameterCombinationException("You must specify a TrailName."); // unverified wording
    const rec = findTrail(ctx, input.TrailName);
    return { TrailARN: rec.arn, InsightSelectors: rec.insightSelectors ?? [] };
  },
} satisfies Partial<CloudtrailApi>;
