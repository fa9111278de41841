// Cloudtrail: the service at a glance.
import { defineService } from "../types.js";
import type { CloudtrailApi } from "./api.generated.js";

const handlers = {} satisfies Partial<CloudtrailApi>;

export default defineService({ name: "cloudtrail", handlers });
