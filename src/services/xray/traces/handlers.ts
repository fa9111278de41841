// X-Ray traces: segments in (PutTraceSegments and the daemon), traces, summaries, graphs, groups. Filled in by the
// traces work; the service's index.ts spreads these handlers.
import type { XrayApi } from "../api.generated.js";

export const traceHandlers = {} satisfies Partial<XrayApi>;
