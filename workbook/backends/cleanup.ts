// The CLI's cleanup of a run's data on real services. Checks and benches drop
// their own schema and keys when they finish, but a check stopped mid-way (a
// loop, a memory cap, Ctrl-C) never gets there. Every schema and key of a run
// carries the run's namespace, so once the run's processes have ended, however
// they ended, the CLI removes whatever is left under it.
import type { ChapterSpec } from '../types.ts';
import { keyPrefix, schemaPrefix } from './namespace.ts';
import { redisDatabase, serviceUrl } from './services.ts';

const CLEANUP_TIMEOUT_MS = 3_000;

/** Remove what a run left on the real services this chapter uses. Never throws. */
export async function removeRunData(chapter: ChapterSpec, namespace: string, timeoutMs = CLEANUP_TIMEOUT_MS): Promise<void> {
  const work: Array<Promise<unknown>> = [];
  const postgres = chapter.services?.includes('postgres') ? serviceUrl('postgres') : undefined;
  const redis = chapter.services?.includes('redis') ? serviceUrl('redis') : undefined;
  if (postgres) work.push(dropSchemas(postgres, schemaPrefix(namespace), timeoutMs));
  if (redis) work.push(deleteKeys(redis, keyPrefix(namespace), timeoutMs));
  await Promise.allSettled(work);
}

/** Drop every schema whose name starts with `prefix`. */
export async function dropSchemas(url: string, prefix: string, timeoutMs = CLEANUP_TIMEOUT_MS): Promise<string[]> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
  client.on('error', () => {});
  const timer = setTimeout(() => void client.end().catch(() => {}), timeoutMs);
  try {
    await client.connect();
    const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [like]);
    for (const { nspname } of rows) {
      // The name came from pg_namespace and matches our prefix; quote it anyway.
      await client.query(`DROP SCHEMA IF EXISTS "${nspname.replace(/"/g, '""')}" CASCADE`);
    }
    return rows.map((r) => r.nspname);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
    await client.end().catch(() => {});
  }
}

/** Delete every key that starts with `prefix` in the workbook's database. */
export async function deleteKeys(url: string, prefix: string, timeoutMs = CLEANUP_TIMEOUT_MS): Promise<number> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    db: redisDatabase(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  let deleted = 0;
  try {
    await client.connect();
    const glob = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
    let cursor = '0';
    const deadline = performance.now() + timeoutMs;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', glob, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await client.unlink(...keys);
    } while (cursor !== '0' && performance.now() < deadline);
  } catch {
    // Best effort: the service may be the reason the run failed.
  } finally {
    client.disconnect();
  }
  return deleted;
}
