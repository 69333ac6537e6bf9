// A response cache bounded by entries, bytes and age, written by hand: a Map
// in recency order, a byte count, and a timer per entry for its expiry.
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
}

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
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value) {
      remove(key);
      const entry = { value, bytes: estimateBytes(key) + estimateBytes(value) };
      entries.set(key, entry);
      bytes += entry.bytes;
      for (const oldest of entries.keys()) {
        if (bytes <= limits.maxBytes && entries.size <= limits.maxEntries) break;
        remove(oldest);
      }
      // Expire it later. The timer is never cleared when the entry is evicted
      // or replaced, and its closure holds the entry: evicted values stay alive for the TTL.
      setTimeout(() => {
        if (entries.get(key) === entry) remove(key);
      }, limits.ttlMs).unref();
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
