// (being written)
import type { LambdaApi } from "./api.generated.js";

export const layers = {} satisfies Partial<LambdaApi>;
