// IAM's policy language, once for every service: the evaluator (evaluate.ts), the Condition operators
// (conditions.ts) and the grammar IAM enforces on write (grammar.ts). Services decide their resource policies with evaluatePolicy; none keeps an evaluator of its own. resource-guard.ts
// enforces resource policies' explicit denies for every call, from what each service declares.
export * from "./evaluate.js";
export * from "./conditions.js";
export * from "./grammar.js";
export * from "./resource-guard.js";
