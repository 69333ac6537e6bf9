// Redis for a server process the checks start: the real server at REDIS_URL,
// in the database and under the key prefix the parent's harness uses (so its
// cleanup finds every key), or an ioredis-mock of the child's own when no
// REDIS_URL is set.
import { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';

export async function childRedis(): Promise<Redis> {
  const url = process.env.REDIS_URL;
  if (!url) return new RedisMock() as unknown as Redis;
  const redis = new Redis(url, {
    db: Number(process.env.SHUTDOWN_REDIS_DB ?? 0),
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    lazyConnect: true,
  });
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}
