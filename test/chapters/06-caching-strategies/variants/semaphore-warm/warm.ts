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
  const limit = createLimit(concurrency);
  await Promise.all(
    hottestKeys.map((key) =>
      limit(async () => {
        try {
          if ((await cache.get(key)) === undefined) result.missing++;
          else result.warmed++;
        } catch {
          result.failed++;
        }
      }),
    ),
  );
  return result;
}
// #endregion warm

/** p-limit's idea in a few lines: run at most `max` tasks at once, start the next as soon as one ends. */
function createLimit(max: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
