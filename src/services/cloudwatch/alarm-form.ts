// PutMetricAlarm's checks of the alarm's form (a metric named by its fields, or a list of Metrics; a threshold or a
// threshold metric), run before anything else looks at the input. AWS answers each with ValidationError, worded as
// the messages below; each names its source.
import { ServiceError } from "../../core/errors.js";
import type { PutMetricAlarmInput } from "./api.generated.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/**
 * An alarm action that is not an ARN: AWS answers ValidationError with no message at all (hashicorp/terraform#19015,
 * PutMetricAlarm given a scaling policy's name as an action: "ValidationError: \n\tstatus code: 400").
 */
export const invalidActionArn = () => validation("");

// The single-metric fields a Metrics alarm must leave out, in the order they are checked.
const SINGLE_METRIC_FIELDS = ["MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit"] as const;

export function checkAlarmForm(input: PutMetricAlarmInput): void {
  if (input.Metrics?.length) {
    // "Statistic should not be set if list of Metrics is set." (cloudtools/troposphere#1276) and "Unit should not be set
    // if list of Metrics is set." (aws-cloudformation/cfn-lint#1306), both ValidationError; the other fields' wording
    // follows the same pattern (unverified wording for MetricName, Namespace, ExtendedStatistic, Dimensions, Period).
    for (const f of SINGLE_METRIC_FIELDS) {
      const v = input[f];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) throw validation(`${f} should not be set if list of Metrics is set.`);
    }
    // boto/boto3#3856 quotes this one for a query with both.
    if (input.Metrics.some((q) => q.Expression !== undefined && q.MetricStat !== undefined))
      throw validation("The parameters MetricDataQuery Expression and MetricStat are mutually exclusive and you have specified both.");
  } else if (!input.MetricName) {
    // Neither form: "MetricName must not be null" (aws-cloudformation/cfn-lint#771, ValidationError).
    throw validation("MetricName must not be null");
  }
  // aws-cloudformation/cfn-lint#1306 quotes this one (ValidationError).
  if (input.Threshold !== undefined && input.ThresholdMetricId !== undefined) throw validation("Threshold and ThresholdMetricId cannot both be set");
}
