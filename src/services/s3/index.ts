// S3: the service at a glance.
import { defineService } from "../types.js";
import type { S3Api } from "./api.generated.js";

const handlers = {} satisfies Partial<S3Api>;

export default defineService({ name: "s3", handlers });
