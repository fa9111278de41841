// CloudWatch metric alarms as stored: the alarm (configuration, state, tags), an index by metric (so a datapoint's
// arrival finds its alarms without a scan), and the alarm history, kept after the alarm is deleted as on AWS.
import { defineState, regional } from "../../core/state.js";
import type { ComparisonOperator, Dimension, MetricDataQuery, StandardUnit, StateValue, Statistic, Tag } from "./api.generated.js";

export interface AlarmRec {
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  statistic?: Statistic;
  extendedStatistic?: string;
  period: number;
  unit?: StandardUnit;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData?: string;
  evaluateLowSampleCountPercentile?: string;
  /** The alarm's Metrics as given (one MetricStat query, or metric math), when it was defined that way. */
  metrics?: MetricDataQuery[];
  /**
   * An alarm on metric math: the id of the query whose result it watches (namespace, metricName and dimensions are
   * then empty and period is that query's).
   */
  returnId?: string;
  /** An anomaly detection alarm: the id of the ANOMALY_DETECTION_BAND query it compares the returned one with. */
  thresholdMetricId?: string;
  tags: Tag[];
  configUpdated: number;
  state: StateValue;
  stateReason: string;
  stateReasonData?: string;
  stateUpdated: number;
  stateTransitioned: number;
}

export interface HistoryRec {
  alarmName: string;
  alarmType: "MetricAlarm" | "CompositeAlarm";
  timestamp: number;
  type: "ConfigurationUpdate" | "StateUpdate" | "Action";
  summary: string;
  data: string;
}

export const alarmState = defineState("cloudwatch", {
  alarms: regional<AlarmRec>(),
  /** `<metric index key><alarm name>` → the alarm's name. */
  alarmsByMetric: regional<string>(),
  /** `<timestamp, 13 digits>/<sequence>` → one history item. */
  alarmHistory: regional<HistoryRec>(),
});

/** The metric part of an alarmsByMetric key (every alarm of that metric shares it as a prefix). */
export const metricIndexPrefix = (namespace: string, metricName: string, dimsKey: string): string => `${JSON.stringify([namespace, metricName, dimsKey])}\n`;
