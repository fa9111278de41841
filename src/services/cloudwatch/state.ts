// CloudWatch's records: dashboards (per account: their ARN has no region); metric data lives in the
// metric store (core/store/metrics.ts).
import { defineState, perAccount, STORE, type StateHolder } from "../../core/state.js";
import { metricStore, type MetricStore } from "../../core/store/metrics.js";

export interface DashboardRec {
  name: string;
  body: string;
  lastModified: number;
}

export const cloudwatchState = defineState("cloudwatch", {
  dashboards: perAccount<DashboardRec>(),
});

/** The metric store, for handlers and background work. */
export const metricsOf = (holder: StateHolder): MetricStore => metricStore(holder[STORE]);
