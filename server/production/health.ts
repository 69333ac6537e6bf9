// /healthz and /readyz from chapter 10's createHealth: liveness from memory,
// readiness from cached, timeout-bounded checks of the database and Redis.
// This file only names the server's two dependencies for it.
import type { Redis } from 'ioredis';
import { createHealth, type Health, type HealthOptions } from '../../solutions/10-production-optimization/health.ts';
import type { ServerDatabase, ServerRedis } from '../backends.ts';

/** `client` is a command connection of `redis` (the one the rate limiter uses). */
export function createServerHealth(database: ServerDatabase, redis: ServerRedis, client: Redis, options: HealthOptions): Health {
  return createHealth(
    [
      { name: database.mode === 'postgres' ? 'postgres' : 'pglite', check: () => database.ping() },
      { name: redis.mode === 'redis' ? 'redis' : 'redis (ioredis-mock)', check: () => client.ping() },
    ],
    options,
  );
}
