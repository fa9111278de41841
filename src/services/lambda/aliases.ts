// (being written)
import type { LambdaApi } from "./api.generated.js";

export const aliases = {} satisfies Partial<LambdaApi>;
