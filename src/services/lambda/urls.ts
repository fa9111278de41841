// (being written)
import type { LambdaApi } from "./api.generated.js";

export const urls = {} satisfies Partial<LambdaApi>;
