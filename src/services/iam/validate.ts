// IAM's own wording of invalid input: a member that must be an ARN (the model's arnType: PolicyArn,
// PermissionsBoundary, the provider ARNs…) and is not one at all answers "Invalid ARN:  Could not be parsed!" —
// checked before the model's length constraint and before any lookup, as AWS does (the wording, two spaces
// included, as recorded from AWS for issue 10; not found in public material, so unverified here). Everything
// else is the generic model validation in the query protocol's ValidationError.
// An ARN whose partition is none of AWS's (botocore's partitions.json: aws, aws-cn, aws-us-gov, aws-iso…), e.g.
// "arn:aws-foo:iam::aws:policy/X", is refused the same way, before any lookup: ValidationError "Invalid ARN partition:
// aws-foo" (wording not found in public AWS-recorded material: unverified). An ARN of another real partition than the
// caller's is left to the lookup, which does not find it (NoSuchEntity).
import { ServiceError } from "../../core/errors.js";
import { parseArn } from "../../core/arn.js";
import type { ServiceModel } from "../../core/model.js";
import { PARTITIONS } from "../../core/partitions.generated.js";
import { validateInput } from "../../core/validate.js";

const KNOWN_PARTITIONS = new Set(PARTITIONS.map((p) => p.id));

export function iamValidate(model: ServiceModel, operation: string, input: Record<string, unknown>): void {
  const shape = model.operations[operation].input?.shape;
  for (const [member, ref] of Object.entries((shape && model.shapes[shape].members) ?? {})) {
    const value = input[member];
    if (ref.shape === "arnType" && typeof value === "string") {
      const arn = parseArn(value);
      if (!arn) throw new ServiceError("ValidationError", "Invalid ARN:  Could not be parsed!", 400);
      if (!KNOWN_PARTITIONS.has(arn.partition)) throw new ServiceError("ValidationError", `Invalid ARN partition: ${arn.partition}`, 400);
    }
  }
  validateInput(model, shape, input, "ValidationError");
}
