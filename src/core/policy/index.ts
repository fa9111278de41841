// IAM's policy language, once for every service: the evaluator (evaluate.ts) and the Condition operators
// (conditions.ts). Services decide their resource policies with evaluatePolicy; none keeps an evaluator of its own.
export * from "./evaluate.js";
export * from "./conditions.js";
