// A response cache that cannot take the process down: bounded by entry count,
// by bytes measured from the values themselves, and by age, with expired
// entries dropped on a timer instead of waiting for someone to read them.
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

/** How often expired entries are swept, at most: they are gone within this long after their TTL. */
const SWEEP_EVERY_MS = 250;

export function createResponseCache<V extends {}>(limits: CacheLimits): ResponseCache<V> {
  // A Map iterates in insertion order: re-inserting on every read keeps the
  // least recently used entry first.
  const entries = new Map<string, Entry<V>>();
  let bytes = 0;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= entry.bytes;
    entries.delete(key);
  };
  const sweep = () => {
    const now = performance.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) remove(key);
  };
  const cache: ResponseCache<V> = {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= performance.now()) {
        bytes -= entry.bytes;
        return undefined;
      }
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value) {
      remove(key);
      const size = estimateBytes(key) + estimateBytes(value);
      if (size > limits.maxBytes) return;
      entries.set(key, { value, bytes: size, expiresAt: performance.now() + limits.ttlMs });
      bytes += size;
      for (const oldest of entries.keys()) {
        if (bytes <= limits.maxBytes && entries.size <= limits.maxEntries) break;
        remove(oldest);
      }
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
  };
  // One timer for the whole cache. It holds the cache only weakly and stops
  // once the cache is gone, and unref() keeps it from holding the process open.
  const ref = new WeakRef(cache);
  const timer = setInterval(() => {
    if (ref.deref()) sweep();
    else clearInterval(timer);
  }, Math.min(SWEEP_EVERY_MS, Math.max(1, limits.ttlMs)));
  timer.unref();
  return cache;
}
