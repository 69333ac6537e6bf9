// Invalidation: delete keys by pattern without blocking Redis, and tell the
// other instances' in-process caches (L1) which keys to drop.
import type { Redis } from 'ioredis';

// #region scan-delete
/**
 * Delete every key matching a glob pattern, a batch at a time. SCAN walks the
 * keyspace in small steps between other clients' commands; KEYS walks all of
 * it in one command, and Redis (single-threaded) answers nobody else until it
 * is done.
 */
export async function deleteByPattern(redis: Redis, pattern: string, batchSize = 100): Promise<number> {
  // One SCAN call: the cursor it returns is ignored, so only the first batch is seen.
  const [, keys] = await redis.scan('0', 'MATCH', pattern, 'COUNT', batchSize);
  return keys.length > 0 ? redis.unlink(...keys) : 0;
}
// #endregion scan-delete

/** A Redis glob (`*`, `?`) as a RegExp, to drop matching keys from L1 too. */
export function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

// #region broadcast
/** What one instance tells the others: drop this key, or every key matching this pattern. */
export interface InvalidationMessage {
  /** The sender, so it can ignore its own messages. */
  from: string;
  key?: string;
  pattern?: string;
}

export async function publishInvalidation(redis: Redis, channel: string, message: InvalidationMessage): Promise<void> {
  await redis.publish(channel, JSON.stringify(message));
}

/**
 * Call `onMessage` for every invalidation another instance publishes. A
 * connection in subscriber mode can run nothing but (UN)SUBSCRIBE, so this
 * takes its own connection, not the one the cache sends commands on.
 */
export async function subscribeToInvalidations(
  subscriber: Redis,
  channel: string,
  onMessage: (message: InvalidationMessage) => void,
): Promise<void> {
  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel) return;
    try {
      onMessage(JSON.parse(raw) as InvalidationMessage);
    } catch {
      // Not one of ours: ignore it rather than crash the subscriber.
    }
  });
  await subscriber.subscribe(channel);
}
// #endregion broadcast
