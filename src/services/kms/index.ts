// Kms: the service at a glance.
import { defineService } from "../types.js";
import type { KmsApi } from "./api.generated.js";

const handlers = {} satisfies Partial<KmsApi>;

export default defineService({ name: "kms", handlers });
