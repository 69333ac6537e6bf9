// A response cache bounded by entry count, by bytes and by age.
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

interface Entry<V> {
  value: V;
  bytes: number;
  expiresAt: number;
}

// #region bounded-cache
export function createResponseCache<V extends {}>(limits: CacheLimits): ResponseCache<V> {
  const entries = new Map<string, Entry<V>>();
  let bytes = 0;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= entry.bytes;
    entries.delete(key);
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      // Expired? Then drop it now.
      if (performance.now() > entry.expiresAt) {
        remove(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value) {
      remove(key);
      const size = estimateBytes(key) + estimateBytes(value);
      // Make room: drop the oldest entries until the new one fits the byte budget.
      for (const oldest of entries.keys()) {
        if (bytes + size <= limits.maxBytes) break;
        remove(oldest);
      }
      entries.set(key, { value, bytes: size, expiresAt: performance.now() + limits.ttlMs });
      bytes += size;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
  };
}
// #endregion bounded-cache
