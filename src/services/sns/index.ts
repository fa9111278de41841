// Sns: the service at a glance.
import { defineService } from "../types.js";
import type { SnsApi } from "./api.generated.js";

const handlers = {} satisfies Partial<SnsApi>;

export default defineService({ name: "sns", handlers });
