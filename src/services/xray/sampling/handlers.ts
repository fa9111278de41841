// X-Ray sampling: sampling rules (AWS's Default rule and the account's own), GetSamplingTargets, statistics and
// telemetry. Filled in by the sampling work; the service's index.ts spreads these handlers.
import type { XrayApi } from "../api.generated.js";

export const samplingHandlers = {} satisfies Partial<XrayApi>;
