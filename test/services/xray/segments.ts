// Segment-building helpers the X-Ray tests share: random ids and trace ids of a given time.
import { randomBytes } from "node:crypto";

/** n hexadecimal digits. */
export const hex = (n: number) => randomBytes(n / 2).toString("hex");
/** A trace id (1-<8 hex>-<24 hex>) whose time is `at` (epoch seconds; default now). */
export const traceId = (at = Date.now() / 1000) => `1-${Math.floor(at).toString(16).padStart(8, "0")}-${hex(24)}`;
