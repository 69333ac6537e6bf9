// The in-memory cached lookup every server in `npm run bench:servers` serves,
// ours included: the same data, the same cache (chapter 4's bounded cache), so
// the benchmark compares the servers and nothing else.
import { createResponseCache } from '../../solutions/04-memory-management/bounded-cache.ts';

export const LOOKUP_KEYS = 10_000;
const MiB = 1024 * 1024;

export interface Lookup {
  /** The value for `key`: from the cache, or computed and cached on a miss. */
  get(key: string): string;
}

/** What the upstream would answer; cheap and deterministic, so a miss costs the same everywhere. */
function compute(key: string): string {
  return `{"key":${JSON.stringify(key)},"value":"${key.length.toString(16)}-${'x'.repeat(64)}"}`;
}

export function createLookup(): Lookup {
  const cache = createResponseCache<string>({ maxEntries: LOOKUP_KEYS * 2, maxBytes: 16 * MiB, ttlMs: 300_000 });
  for (let i = 0; i < LOOKUP_KEYS; i++) cache.set(`item-${i}`, compute(`item-${i}`));
  return {
    get(key) {
      let value = cache.get(key);
      if (value === undefined) {
        value = compute(key);
        cache.set(key, value);
      }
      return value;
    },
  };
}

/** A key the load generators ask for: mostly cached items. */
export function lookupKey(n: number): string {
  return `item-${n % LOOKUP_KEYS}`;
}
