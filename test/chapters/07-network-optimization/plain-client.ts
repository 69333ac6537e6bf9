// Two clients the checks and measurements use where the learner's client is
// not what is being graded: a plain pooled client (the transport under the
// retry and batching checks) and the new-connection-per-call pattern (the
// baseline the learner's throughput is compared with). Neither compresses.
import { Client, Pool } from 'undici';
import type { HttpClient, RequestOptions } from '../../../solutions/07-network-optimization/http-client.ts';

/** A pooled undici client that passes errors through untouched. */
export function plainClient(origin: string, connections = 8): HttpClient {
  const pool = new Pool(origin, { connections, keepAliveTimeout: 30_000 });
  return {
    origin,
    async request(path, { method = 'GET', headers = {}, body, signal }: RequestOptions = {}) {
      const response = await pool.request({ path, method, headers, body, signal });
      const received = Buffer.from(await response.body.arrayBuffer());
      return { status: response.statusCode, headers: response.headers, body: received, wireBytes: received.length };
    },
    close: () => pool.close(),
  };
}

/** One GET on a connection of its own, closed afterwards: what the starter does. */
export async function getOnNewConnection(origin: string, path: string): Promise<Buffer> {
  const client = new Client(origin);
  try {
    const response = await client.request({ path, method: 'GET' });
    return Buffer.from(await response.body.arrayBuffer());
  } finally {
    await client.close();
  }
}

/** Run `call` for every item with at most `limit` in flight. */
export async function eachLimit<T>(items: readonly T[], limit: number, call: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const index = next++;
      await call(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
}

/** Settle `promise`, or give up after `ms`: a check must end even when the code under test never answers. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown; timedOut: boolean; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'gave up'>((resolve) => {
    timer = setTimeout(() => resolve('gave up'), ms);
  });
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ value, timedOut: false }),
        (error: unknown) => ({ error, timedOut: false }),
      ),
      gaveUp.then(() => ({ timedOut: true })),
    ]);
    return { ...outcome, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** `promise`, or an error saying what did not finish in `ms`: a load loop bounded in time as well as count. */
export async function mustFinish<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const outcome = await within(promise, ms);
  if (outcome.timedOut) throw new Error(`${what} did not finish in ${ms / 1000} s`);
  if ('error' in outcome && outcome.error !== undefined) throw outcome.error;
  return outcome.value as T;
}
