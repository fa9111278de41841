// A metric's identity (namespace, name, dimension set) as the metric store keys it, and units as the store codes them.
import type { MetricKey } from "../../core/store/metrics.js";
import type { Dimension, StandardUnit } from "./api.generated.js";

/** The units in the model's order; a sample stores its unit's index (0: None, what a datum without Unit gets). */
export const UNITS: StandardUnit[] = [
  "None",
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
];
const UNIT_CODES = new Map(UNITS.map((u, i) => [u, i]));

export const unitCode = (u: StandardUnit | undefined): number => (u ? (UNIT_CODES.get(u) ?? 0) : 0);
export const HIGH_RESOLUTION = 0x80;

/** The dimension set as canonical text: [[name, value], …] sorted by name (a metric's dimensions have no order). */
export function dimsKey(dims: readonly Dimension[] | undefined): string {
  if (!dims?.length) return "[]";
  if (dims.length === 1) return JSON.stringify([[dims[0].Name, dims[0].Value]]);
  const pairs = dims.map((d) => [d.Name, d.Value] as [string, string]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(pairs);
}

export function dimsOf(key: string): Dimension[] {
  return (JSON.parse(key) as [string, string][]).map(([Name, Value]) => ({ Name, Value }));
}

export function metricKey(scope: { account: string; region: string }, namespace: string, name: string, dims: readonly Dimension[] | undefined): MetricKey {
  return { scope: `${scope.account}/${scope.region}`, namespace, name, dims: dimsKey(dims) };
}
