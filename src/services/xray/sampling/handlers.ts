// X-Ray sampling: sampling rules (AWS's Default rule and the account's own), GetSamplingTargets and statistic
// summaries, tags of sampling rules and groups, the encryption configuration, resource policies, telemetry, indexing
// rules and the trace segment destination. The service's index.ts spreads these handlers and starts the in-memory
// half with startSampling (running.ts).
import type { XrayApi } from "../api.generated.js";
import { configHandlers } from "./config.js";
import { policyHandlers } from "./policies.js";
import { ruleHandlers } from "./rules.js";
import { tagHandlers } from "./tags.js";
import { targetHandlers } from "./targets.js";

export const samplingHandlers = {
  ...ruleHandlers,
  ...targetHandlers,
  ...tagHandlers,
  ...configHandlers,
  ...policyHandlers,
} satisfies Partial<XrayApi>;
