// (being written)
import type { LambdaApi } from "./api.generated.js";

export const permissions = {} satisfies Partial<LambdaApi>;
