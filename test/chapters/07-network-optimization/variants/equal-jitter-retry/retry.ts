// Retries written as a recursive function with "equal jitter": half of each
// exponential step is fixed and half random, so no retry comes back instantly.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpClient, HttpResponse, RequestOptions } from './http-client.ts';

export interface RetryPolicy {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

const SAFE = /^(GET|HEAD|OPTIONS|TRACE|PUT|DELETE)$/i;

export function isIdempotent(method: string, headers: Record<string, string> = {}): boolean {
  return SAFE.test(method) || Object.entries(headers).some(([name, value]) => /^idempotency-key$/i.test(name) && value !== '');
}

export function backoffDelay(
  attempt: number,
  { baseDelayMs = 100, maxDelayMs = 2_000 }: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> = {},
  random: () => number = Math.random,
): number {
  const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + (random() * step) / 2;
}

function worthRetrying(outcome: { status?: number; error?: unknown }): boolean {
  if (outcome.status !== undefined) return outcome.status === 429 || outcome.status === 502 || outcome.status === 503 || outcome.status === 504;
  const error = outcome.error as { name?: string; code?: string } | undefined;
  return error?.name === 'TimeoutError' || /^(ECONNRESET|ECONNREFUSED|EPIPE|UND_ERR_SOCKET|UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT)$/.test(error?.code ?? '');
}

export function withRetries(client: HttpClient, policy: RetryPolicy = {}): HttpClient {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 3);
  const random = policy.random ?? Math.random;

  async function attempt(path: string, options: RequestOptions, n: number): Promise<HttpResponse> {
    let response: HttpResponse | undefined;
    let error: unknown;
    try {
      response = await client.request(path, options);
    } catch (caught) {
      error = caught;
    }
    const again =
      n < maxAttempts &&
      !options.signal?.aborted &&
      isIdempotent(options.method ?? 'GET', options.headers) &&
      worthRetrying(response ? { status: response.status } : { error });
    if (!again) {
      if (response) return response;
      throw error;
    }
    await sleep(backoffDelay(n, policy, random), undefined, { signal: options.signal });
    return attempt(path, options, n + 1);
  }

  return {
    origin: client.origin,
    request: (path, options = {}) => attempt(path, options, 1),
    close: () => client.close(),
  };
}
