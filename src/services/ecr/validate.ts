// ECR's own wording of a repository name outside its pattern, before the model's other constraints: InvalidParameterException
// "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '<pattern>''", the
// pattern as the model gives it with its escaped slash plain (AWS's live answer to CreateRepository with "Bad_Name!", as
// other emulators captured it). Everything else is the generic model validation (ValidationException).
import { ServiceError } from "../../core/errors.js";
import type { ServiceModel } from "../../core/model.js";
import { validateInput } from "../../core/validate.js";

let namePattern: { source: string; re: RegExp } | undefined;

export function ecrValidate(model: ServiceModel, operation: string, input: Record<string, unknown>): void {
  const name = input.repositoryName;
  if (typeof name === "string" && name.length >= 2 && name.length <= 256) {
    const pattern = (model.shapes.RepositoryName as { pattern?: string } | undefined)?.pattern;
    if (pattern) {
      namePattern ??= { source: pattern.replaceAll("\\/", "/"), re: new RegExp(`^(?:${pattern})$`) };
      if (!namePattern.re.test(name)) {
        throw new ServiceError(
          "InvalidParameterException",
          `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${namePattern.source}''`,
          400,
        );
      }
    }
  }
  validateInput(model, model.operations[operation].input?.shape, input, "ValidationException");
}
