// Named per-service deviations from the generic wire handling, registered in one table and run as pipeline steps.
import type { Exchange } from "../../gateway/exchange.js";
import { s3Quirk } from "./s3.js";
import { sqsQuirk } from "./sqs.js";

/** What a service may do differently from its protocol's generic handling, at fixed points of the pipeline. */
export interface Quirk {
  /** Instead of buffering: take the body as a stream (returns true when it did). Runs once the service is known. */
  openBody?(x: Exchange): boolean;
  /** Before authentication: may answer the request itself by setting x.response (S3's CORS preflight, POST uploads). */
  beforeAuth?(x: Exchange): void | Promise<void>;
  /** After authentication, before routing: what needs the verified caller (S3's chunk signatures). */
  afterAuth?(x: Exchange): void;
  /** Instead of the generic model validation: the service's own wording of invalid input (S3 has no ValidationException). */
  validate?(x: Exchange): void;
  /** After the output is serialized: extra response headers (S3's CORS headers on actual requests). */
  decorate?(x: Exchange): void | Promise<void>;
}

export const quirks: Record<string, Quirk> = {
  s3: s3Quirk,
  sqs: sqsQuirk,
};

const quirkOf = (x: Exchange): Quirk | undefined => (x.service ? quirks[x.service.name] : undefined);

export function quirkOpenBody(x: Exchange): boolean {
  return quirkOf(x)?.openBody?.(x) ?? false;
}

export function quirksBeforeAuth(x: Exchange): void | Promise<void> {
  return quirkOf(x)?.beforeAuth?.(x);
}

export function quirksAfterAuth(x: Exchange): void {
  quirkOf(x)?.afterAuth?.(x);
}

/** Runs the service's own input validation; false when it has none (the generic validation applies). */
export function quirkValidate(x: Exchange): boolean {
  const v = quirkOf(x)?.validate;
  if (!v) return false;
  v(x);
  return true;
}

export function quirksDecorate(x: Exchange): void | Promise<void> {
  return quirkOf(x)?.decorate?.(x);
}
