// Model-driven: HTTP → typed input, then the model's constraints in AWS's wording.
import { validateInput } from "../core/validate.js";
import type { Exchange } from "./exchange.js";
import { quirkValidate } from "../protocols/quirks/index.js";

export function parseInput(x: Exchange): void {
  x.input = x.codec!.parseInput(x.req, x.model!, x.operation!);
}

export function validate(x: Exchange): void {
  if (quirkValidate(x)) return;
  const query = x.codec!.name === "query" || x.codec!.name === "ec2";
  validateInput(x.model!, x.model!.operations[x.operation!].input?.shape, x.input!, query ? "ValidationError" : "ValidationException");
}
