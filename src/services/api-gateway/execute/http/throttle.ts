// Stage throttling of HTTP APIs: a token bucket per stage and route (rate = ThrottlingRateLimit requests a second,
// capacity = ThrottlingBurstLimit), from the stage's routeSettings for the route key, else its defaultRouteSettings.
// Unset limits are the account's defaults (10,000 requests a second, a burst of 5,000; see
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html). Buckets live in memory, as
// AWS's throttling is not durable either.
import type { RouteSettings } from "../../../apigatewayv2/api.generated.js";

const ACCOUNT_RATE = 10_000;
const ACCOUNT_BURST = 5_000;

interface Bucket {
  rate: number;
  burst: number;
  tokens: number;
  at: number;
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes a token for one request; false when the bucket is empty (answer 429). */
  take(key: string, settings: RouteSettings | undefined, fallback: RouteSettings, now: number): boolean {
    const rate = settings?.ThrottlingRateLimit ?? fallback.ThrottlingRateLimit;
    const burst = settings?.ThrottlingBurstLimit ?? fallback.ThrottlingBurstLimit;
    if (rate === undefined && burst === undefined) return true;
    const r = rate ?? ACCOUNT_RATE;
    const b = burst ?? ACCOUNT_BURST;
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.rate !== r || bucket.burst !== b) {
      // A new bucket (or new limits) starts full, as a stage's settings take effect at once.
      bucket = { rate: r, burst: b, tokens: b, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(b, bucket.tokens + ((now - bucket.at) / 1000) * r);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
