// X-Ray: the service at a glance — traces assembled from segments (PutTraceSegments and the local daemon on
// 127.0.0.1:2000, daemon.ts), trace summaries with filter expressions, service and trace graphs, groups; sampling
// rules and targets as the SDKs' centralized sampling uses them.
import { defineService } from "../../core/service.js";
import type { XrayApi } from "./api.generated.js";
import { samplingHandlers } from "./sampling/handlers.js";
import { startSampling, type WithSampling } from "./sampling/running.js";
import { traceHandlers } from "./traces/handlers.js";
import { TraceStore } from "./traces/store.js";

/** X-Ray's running instance: the trace store and the sampling half's in-memory state. */
export interface XrayInstance extends WithSampling {
  traces: TraceStore;
}

const handlers = {
  ...traceHandlers,
  ...samplingHandlers,
} satisfies Partial<XrayApi>;

export default defineService({
  name: "xray",
  handlers,
  start(host) {
    // The trace index (every stored trace's record) is loaded here, once; batches of segments are written by it. The
    // sampling half's quotas and statistics live beside it, in memory (sampling/running.ts).
    const traces = new TraceStore(host);
    const instance: XrayInstance = { traces, sampling: startSampling() };
    return { instance, stop: () => traces.stop() };
  },
});
