// SecretsManager: the service at a glance.
import { defineService } from "../types.js";
import type { SecretsManagerApi } from "./api.generated.js";

const handlers = {} satisfies Partial<SecretsManagerApi>;

export default defineService({ name: "secrets-manager", handlers });
