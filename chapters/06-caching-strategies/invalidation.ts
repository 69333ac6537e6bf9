// Invalidation: delete keys by pattern.
import type { Redis } from 'ioredis';

// #region keys-delete
/** Delete every key matching a glob pattern. */
export async function deleteByPattern(redis: Redis, pattern: string): Promise<number> {
  const keys = await redis.keys(pattern);
  if (keys.length === 0) return 0;
  return redis.del(...keys);
}
// #endregion keys-delete

/** A Redis glob (`*`, `?`) as a RegExp, to drop matching keys from L1 too. */
export function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
