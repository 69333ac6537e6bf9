// A per-client token bucket kept in Redis, so every instance behind the load
// balancer spends from the same bucket. One Lua script reads, refills, takes
// and writes back in a single atomic step: no other command runs in between.
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

// KEYS[1] the client's bucket. ARGV: capacity, refill per second, now (ms), cost.
// Returns { allowed (0/1), whole tokens left, ms until `cost` tokens are back }.
const TAKE_TOKENS = `
local capacity = tonumber(ARGV[1])
local perSecond = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * perSecond / 1000)
  at = now
end
local allowed = 0
local waitMs = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  waitMs = math.ceil((cost - tokens) * 1000 / perSecond)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
-- A bucket left alone refills completely; after that it is the same as no key.
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / perSecond) + 1000)
return { allowed, math.floor(tokens), waitMs }
`;

type TakeTokens = (key: string, capacity: number, perSecond: number, now: number, cost: number) => Promise<[number, number, number]>;

export function createRateLimiter(redis: Redis, options: RateLimitOptions): RateLimiter {
  const { capacity, refillPerSecond, keyPrefix = 'ratelimit:', now = Date.now } = options;
  let errors = 0;
  return {
    // The bucket is in Redis, but read and written in two steps: two instances
    // that read it before either writes both spend the same tokens.
    async take(clientId, cost = 1) {
      const key = `${keyPrefix}${clientId}`;
      try {
        const [storedTokens, storedAt] = await redis.hmget(key, 'tokens', 'at');
        const time = now();
        let tokens = storedTokens === null ? capacity : Number(storedTokens);
        const at = storedAt === null ? time : Number(storedAt);
        if (time > at) tokens = Math.min(capacity, tokens + ((time - at) * refillPerSecond) / 1000);
        const allowed = tokens >= cost;
        if (allowed) tokens -= cost;
        await redis.hset(key, 'tokens', String(tokens), 'at', String(Math.max(time, at)));
        await redis.pexpire(key, Math.ceil((capacity * 1000) / refillPerSecond) + 1000);
        return { allowed, remaining: Math.floor(tokens), retryAfterMs: allowed ? 0 : Math.ceil(((cost - tokens) * 1000) / refillPerSecond) };
      } catch {
        errors++;
        return { allowed: true, remaining: 0, retryAfterMs: 0 };
      }
    },
    errors: () => errors,
  };
}
