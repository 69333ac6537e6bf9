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
  { concurrency = 8 }: WarmOptions = {},
): Promise<WarmResult> {
  const result: WarmResult = { warmed: 0, missing: 0, failed: 0 };
  // Batches of `concurrency`: each batch waits for its slowest key before the next starts.
  for (let start = 0; start < hottestKeys.length; start += concurrency) {
    await Promise.all(
      hottestKeys.slice(start, start + concurrency).map(async (key) => {
        try {
          if ((await cache.get(key)) === undefined) result.missing++;
          else result.warmed++;
        } catch {
          result.failed++;
        }
      }),
    );
  }
  return result;
}
// #endregion warm
