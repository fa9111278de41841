// SNS's own wording of invalid input, before the model's other constraints and before any lookup or policy decision:
// a required member left out is InvalidParameter "Invalid parameter: <Member> Reason: no value for required parameter"
// (as SNS answered Unsubscribe without a SubscriptionArn in LocalStack's AWS-recorded
// tests/aws/services/sns/test_sns.snapshot.json, TestSNSSubscriptionCrud::test_unsubscribe_wrong_arn_format,
// invalid-unsubscribe-arn-4; the same sentence for every other required member is unverified). Everything else is
// the generic model validation (ValidationError, the query protocol's).
import { ServiceError } from "../../core/errors.js";
import type { ServiceModel } from "../../core/model.js";
import { validateInput } from "../../core/validate.js";

export function snsValidate(model: ServiceModel, operation: string, input: Record<string, unknown>): void {
  const shape = model.operations[operation].input?.shape;
  for (const member of (shape && model.shapes[shape].required) ?? []) {
    if (input[member] === undefined || input[member] === null) {
      throw new ServiceError("InvalidParameter", `Invalid parameter: ${member} Reason: no value for required parameter`, 400, {
        shapeName: "InvalidParameterException",
      });
    }
  }
  validateInput(model, shape, input, "ValidationError");
}
