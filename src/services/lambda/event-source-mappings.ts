// (being written)
import type { LambdaApi } from "./api.generated.js";

export const eventSourceMappings = {} satisfies Partial<LambdaApi>;
