// Model-driven: HTTP → typed input.
import type { Exchange } from "./exchange.js";

export function parseInput(x: Exchange): void {
  x.input = x.codec!.parseInput(x.req, x.model!, x.operation!);
}
