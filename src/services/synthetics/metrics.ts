// The CloudWatchSynthetics metrics each run publishes ("CloudWatch metrics published by canaries",
// CloudWatch_Synthetics_Canaries_metrics.html): SuccessPercent (Percent: 100 for a passed run, 0 for a failed one),
// Duration (Milliseconds), Failed (Count: 1 when the run failed, else 0), Failed requests (Count: HTTP requests that
// got no response or one of 400 and up), 2xx, 4xx, 5xx (Count) — by CanaryName; and, for each step, SuccessPercent
// and Duration by CanaryName and StepName. Published through core/service-metrics.ts.
import { serviceMetrics } from "../../core/service-metrics.js";
import type { ServiceHost } from "../../core/service.js";
import type { RunResult } from "./runner.js";

const NS = "CloudWatchSynthetics";

export function recordRunMetrics(host: ServiceHost, account: string, region: string, canary: string, passed: boolean, r: RunResult, at: number): void {
  const m = serviceMetrics(host, "synthetics");
  const dims = [{ Name: "CanaryName", Value: canary }];
  const put = (name: string, value: number, unit: string, d = dims) => m.record(account, region, NS, name, d, value, unit, at);
  put("SuccessPercent", passed ? 100 : 0, "Percent");
  put("Duration", Math.max(0, r.endTime - r.startTime), "Milliseconds");
  put("Failed", passed ? 0 : 1, "Count");
  put("Failed requests", r.requests.failed, "Count");
  put("2xx", r.requests["2xx"], "Count");
  put("4xx", r.requests["4xx"], "Count");
  put("5xx", r.requests["5xx"], "Count");
  for (const s of r.steps) {
    const stepDims = [...dims, { Name: "StepName", Value: s.stepName }];
    put("SuccessPercent", s.status === "PASSED" ? 100 : 0, "Percent", stepDims);
    if (s.duration !== undefined) put("Duration", s.duration, "Milliseconds", stepDims);
  }
}
