// Secrets Manager's own check of invalid input, before the model's constraints and before any lookup or policy
// decision: a SecretId that is not an ARN and holds a character no secret name may hold answers ValidationException
// "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!" on
// every operation taking one (LocalStack's AWS-recorded tests/aws/services/secretsmanager/test_secretsmanager.snapshot.json,
// test_invalid_secret_name: DeleteSecret, DescribeSecret, GetSecretValue, ListSecretVersionIds, PutSecretValue,
// TagResource, UntagResource, UpdateSecret, ValidateResourcePolicy). Everything else is the generic model validation.
import { ServiceError } from "../../core/errors.js";
import type { ServiceModel } from "../../core/model.js";
import { validateInput } from "../../core/validate.js";

/** The characters a secret name may hold (CreateSecret's rule; "!" is in AWS's sentence but not in its names). */
export const NAME_RE = /^[A-Za-z0-9/_+=.@-]+$/;
export const INVALID_NAME = "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!";

export function secretsManagerValidate(model: ServiceModel, operation: string, input: Record<string, unknown>): void {
  const id = input.SecretId;
  if (typeof id === "string" && id !== "" && !id.startsWith("arn:") && !NAME_RE.test(id)) throw new ServiceError("ValidationException", INVALID_NAME, 400);
  validateInput(model, model.operations[operation].input?.shape, input, "ValidationException");
}
