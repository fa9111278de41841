// Sqs: the service at a glance.
import { defineService } from "../types.js";
import type { SqsApi } from "./api.generated.js";

const handlers = {} satisfies Partial<SqsApi>;

export default defineService({ name: "sqs", handlers });
