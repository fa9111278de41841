// Pipeline steps that run a service's declared wire quirks (its registry entry's `quirk`) at fixed points.
import type { Quirk } from "../core/service.js";
import type { Exchange } from "./exchange.js";

const quirkOf = (x: Exchange): Quirk | undefined => x.service?.declared.quirk;

export function quirkOpenBody(x: Exchange): boolean {
  return quirkOf(x)?.openBody?.(x) ?? false;
}

export function quirksBeforeAuth(x: Exchange): void | Promise<void> {
  return quirkOf(x)?.beforeAuth?.(x);
}

export function quirksAfterAuth(x: Exchange): void {
  quirkOf(x)?.afterAuth?.(x);
}

export function quirksDecorate(x: Exchange): void | Promise<void> {
  return quirkOf(x)?.decorate?.(x);
}
