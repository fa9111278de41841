// The shape of a service: its handlers (named by the lowerCamel operation) and its start-up hooks.
import type { HandlerContext } from "../core/context.js";
import type { Runtime } from "../runtime.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (input: any, ctx: HandlerContext) => unknown;

export interface ServiceDefinition {
  /** Folder name, as in the catalog. */
  name: string;
  handlers: Record<string, Handler>;
  /** Called once when the server starts (timers, sweeps); returns a stop function. */
  start?(runtime: Runtime): (() => void) | void;
}

export function defineService(def: ServiceDefinition): ServiceDefinition {
  return def;
}
