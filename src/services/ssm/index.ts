// Ssm: the service at a glance.
import { defineService } from "../types.js";
import type { SsmApi } from "./api.generated.js";

const handlers = {} satisfies Partial<SsmApi>;

export default defineService({ name: "ssm", handlers });
