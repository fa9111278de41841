// (being written)
import type { LambdaApi } from "./api.generated.js";

export const concurrency = {} satisfies Partial<LambdaApi>;
