// (being written)
import type { LambdaApi } from "./api.generated.js";

export const tags = {} satisfies Partial<LambdaApi>;
