// HTTP/S delivery policies: validation, the effective policy (topic default, subscription override), and retry delays.
import { InvalidParameterException } from "./api.generated.js";

export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numMaxDelayRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  backoffFunction: "linear" | "arithmetic" | "geometric" | "exponential";
}

// AWS's default for HTTP/S endpoints: 3 retries, 20 s apart.
export const DEFAULT_RETRY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: "linear",
};

const BACKOFF = new Set(["linear", "arithmetic", "geometric", "exponential"]);

function parse(text: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v;
  } catch {
    /* worded below */
  }
  throw new InvalidParameterException(`Invalid parameter: ${what}: failed to parse JSON.`);
}

function checkRetry(p: unknown, what: string): void {
  if (p === undefined) return;
  const bad = (why: string) => new InvalidParameterException(`Invalid parameter: ${what}: ${why}`);
  if (typeof p !== "object" || p === null) throw bad("retry policy must be an object");
  const r = { ...DEFAULT_RETRY, ...(p as Partial<RetryPolicy>) };
  const ints: (keyof RetryPolicy)[] = ["minDelayTarget", "maxDelayTarget", "numRetries", "numMaxDelayRetries", "numNoDelayRetries", "numMinDelayRetries"];
  for (const k of ints) if (!Number.isInteger(r[k]) || (r[k] as number) < 0) throw bad(`${k} must be a non-negative integer`);
  if (r.numRetries > 100) throw bad("numRetries must be at most 100");
  if (r.maxDelayTarget > 3600) throw bad("maxDelayTarget must be at most 3600");
  if (r.minDelayTarget < 1 || r.minDelayTarget > r.maxDelayTarget) throw bad("minDelayTarget must be between 1 and maxDelayTarget");
  if (r.numNoDelayRetries + r.numMinDelayRetries + r.numMaxDelayRetries > r.numRetries) throw bad("the retry phases add up to more than numRetries");
  if (!BACKOFF.has(r.backoffFunction)) throw bad(`backoffFunction must be one of linear, arithmetic, geometric, exponential`);
}

/** A topic's policy ({"http": {defaultHealthyRetryPolicy …}}) or a subscription's ({healthyRetryPolicy …}). */
export function validateDeliveryPolicy(text: string, what: string, kind: "topic" | "subscription" = "topic"): void {
  const doc = parse(text, what);
  if (kind === "topic") {
    for (const [proto, v] of Object.entries(doc)) {
      if (typeof v !== "object" || v === null) throw new InvalidParameterException(`Invalid parameter: ${what}: ${proto} must be an object`);
      checkRetry((v as Record<string, unknown>).defaultHealthyRetryPolicy, what);
    }
  } else {
    checkRetry(doc.healthyRetryPolicy, what);
  }
}

export function effectiveDeliveryPolicy(topicPolicy: string | undefined): Record<string, unknown> {
  const set = topicPolicy ? (JSON.parse(topicPolicy) as Record<string, Record<string, unknown>>) : {};
  const http = set.http ?? {};
  return {
    ...set,
    http: {
      defaultHealthyRetryPolicy: { ...DEFAULT_RETRY, ...(http.defaultHealthyRetryPolicy as object) },
      disableSubscriptionOverrides: false,
      defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
      ...Object.fromEntries(Object.entries(http).filter(([k]) => k !== "defaultHealthyRetryPolicy")),
    },
  };
}

/** The retry policy for one subscription: its own unless the topic disables overrides. */
export function retryPolicyFor(topicPolicy: string | undefined, subPolicy: string | undefined): RetryPolicy {
  const http = effectiveDeliveryPolicy(topicPolicy).http as { defaultHealthyRetryPolicy: RetryPolicy; disableSubscriptionOverrides: boolean };
  const own =
    subPolicy && !http.disableSubscriptionOverrides ? (JSON.parse(subPolicy) as { healthyRetryPolicy?: Partial<RetryPolicy> }).healthyRetryPolicy : undefined;
  return { ...http.defaultHealthyRetryPolicy, ...own };
}

/** Seconds to wait before retry `n` (1-based): immediate, then min, then the backoff curve, then max — AWS's four phases. */
export function retryDelaySeconds(p: RetryPolicy, n: number): number {
  if (n <= p.numNoDelayRetries) return 0;
  if (n <= p.numNoDelayRetries + p.numMinDelayRetries) return p.minDelayTarget;
  const backoff = p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries;
  const i = n - p.numNoDelayRetries - p.numMinDelayRetries;
  if (i > backoff) return p.maxDelayTarget;
  const min = p.minDelayTarget,
    max = p.maxDelayTarget,
    f = backoff <= 1 ? 1 : (i - 1) / (backoff - 1);
  switch (p.backoffFunction) {
    case "linear":
      return Math.round(min + (max - min) * f);
    case "arithmetic":
      return Math.round(min + (max - min) * f * f);
    case "geometric":
      return Math.round(min * (max / min) ** f);
    case "exponential":
      return Math.round(min + ((max - min) * (2 ** (f * 10) - 1)) / 1023);
  }
}
