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

// #region token-bucket-lua
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
return { allowed, math.floor(tokens), waitMs }
`;
// #endregion token-bucket-lua

type TakeTokens = (key: string, capacity: number, perSecond: number, now: number, cost: number) => Promise<[number, number, number]>;

export function createRateLimiter(redis: Redis, options: RateLimitOptions): RateLimiter {
  const { capacity, refillPerSecond, keyPrefix = 'ratelimit:', now = Date.now } = options;
  // defineCommand sends the script once (EVALSHA afterwards, EVAL if Redis
  // has forgotten it), and runs it atomically on the server.
  redis.defineCommand('takeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS });
  const takeTokens = (redis as unknown as { takeTokens: TakeTokens }).takeTokens.bind(redis);
  let errors = 0;

  // #region take
  return {
    async take(clientId, cost = 1) {
      try {
        const [allowed, remaining, waitMs] = await takeTokens(`${keyPrefix}${clientId}`, capacity, refillPerSecond, now(), cost);
        return { allowed: allowed === 1, remaining, retryAfterMs: waitMs };
      } catch {
        // Redis is down: let the request through (admission control still
        // protects this instance) rather than fail every tool call.
        errors++;
        return { allowed: true, remaining: 0, retryAfterMs: 0 };
      }
    },
    errors: () => errors,
  };
  // #endregion take
}
