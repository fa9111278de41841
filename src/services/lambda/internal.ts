// What other services may ask of Lambda without calling its API: whether a function's resource policy lets a
// service principal invoke it (S3 notifications, SNS subscriptions, Secrets Manager rotation check this, as
// AWS does, before they invoke).
import { STORE, type StateHolder } from "../../core/state.js";
import type { Store } from "../../core/store/types.js";
import { allowsInvoke } from "./permissions.js";

const ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;

/**
 * Whether `service` (e.g. "s3.amazonaws.com") may invoke the function, given the source's ARN and account.
 * `holder`: the calling handler's context (or the service host); a Store is still taken from callers not moved yet.
 */
export function lambdaPermits(holder: StateHolder | Store, functionArn: string, service: string, sourceArn?: string, sourceAccount?: string): boolean {
  const m = ARN.exec(functionArn);
  if (!m) return false;
  const [, region, account, name, qualifier] = m as unknown as [string, string, string, string, string | undefined];
  const store = STORE in holder ? holder[STORE] : holder;
  return allowsInvoke({ [STORE]: store, account, region }, name, qualifier, service, sourceArn, sourceAccount);
}
