// The state of one request as it moves through the pipeline (declared in core/exchange.ts) and a pipeline step.
import type { Exchange } from "../core/exchange.js";

export type { Exchange, GatewayHost } from "../core/exchange.js";
export { identityOf, ClientGone } from "../core/exchange.js";

export type Step = (x: Exchange) => void | Promise<void>;
