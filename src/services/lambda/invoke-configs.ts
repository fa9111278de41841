// (being written)
import type { LambdaApi } from "./api.generated.js";

export const invokeConfigs = {} satisfies Partial<LambdaApi>;
