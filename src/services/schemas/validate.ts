// The Schemas API words invalid input as a BadRequestException in its ErrorOutput ({"Code", "Message"}), for HTTP
// requests and in-process calls alike (the registry entry's `validate`). A small module: it loads with the server.
import { ServiceError } from "../../core/errors.js";
import type { ServiceModel } from "../../core/model.js";
import { validateInput } from "../../core/validate.js";

export function validateSchemasInput(model: ServiceModel, operation: string, input: Record<string, unknown>): void {
  try {
    validateInput(model, model.operations[operation]?.input?.shape, input, "BadRequestException");
  } catch (e) {
    // unverified wording: the generic model validation's message, in the Schemas API's envelope
    if (e instanceof ServiceError) throw new ServiceError(e.code, e.message, e.status, { fields: { Code: e.code } });
    throw e;
  }
}
