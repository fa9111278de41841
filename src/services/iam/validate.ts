// IAM's own wording of invalid input: a member that must be an ARN (the model's arnType: PolicyArn,
// PermissionsBoundary, the provider ARNs…) and is not one at all answers "Invalid ARN:  Could not be parsed!" —
// checked before the model's length constraint and before any lookup, as AWS does (the wording, two spaces
// included, as recorded from AWS for issue 10; not found in public material, so unverified here). Everything
// else is the generic model validation in the query protocol's ValidationError.
import { ServiceError } from "../../core/errors.js";
import { parseArn } from "../../core/arn.js";
import type { ServiceModel } from "../../core/model.js";
import { validateInput } from "../../core/validate.js";

export function iamValidate(model: ServiceModel, operation: string, input: Record<string, unknown>): void {
  const shape = model.operations[operation].input?.shape;
  for (const [member, ref] of Object.entries((shape && model.shapes[shape].members) ?? {})) {
    const value = input[member];
    if (ref.shape === "arnType" && typeof value === "string" && !parseArn(value)) {
      throw new ServiceError("ValidationError", "Invalid ARN:  Could not be parsed!", 400);
    }
  }
  validateInput(model, shape, input, "ValidationError");
}
