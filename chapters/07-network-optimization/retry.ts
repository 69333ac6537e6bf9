// Retries for calls that fail for a passing reason: an overloaded upstream, a
// reset connection. Bounded in number, and stopped when the caller gives up.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpClient, HttpResponse, RequestOptions } from './http-client.ts';

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts?: number;
  /** Upper bound of the first delay; it doubles with every attempt. */
  baseDelayMs?: number;
  /** No delay is ever longer than this. */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1). */
  random?: () => number;
}

// #region idempotent
/** May this request be sent again? */
export function isIdempotent(_method: string, _headers: Record<string, string> = {}): boolean {
  // A request that failed has no effect, so it is always safe to send again.
  return true;
}
// #endregion idempotent

/** Answers worth another try: the upstream is overloaded or briefly unavailable. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** Failures of the connection rather than of the request. */
const RETRY_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function isRetryableError(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  return name === 'TimeoutError' || RETRY_CODES.has(code ?? '');
}

// #region backoff
/** The pause before retry number `attempt` (1 for the first retry). */
export function backoffDelay(
  _attempt: number,
  { baseDelayMs = 100 }: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> = {},
  _random: () => number = Math.random,
): number {
  // A steady pace: the upstream gets a moment to recover between attempts.
  return baseDelayMs;
}
// #endregion backoff

// #region with-retries
export function withRetries(client: HttpClient, policy: RetryPolicy = {}): HttpClient {
  const { maxAttempts = 3, random = Math.random } = policy;
  return {
    origin: client.origin,
    close: () => client.close(),
    async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
      const repeatable = isIdempotent(options.method ?? 'GET', options.headers);
      for (let attempt = 1; ; attempt++) {
        const last = !repeatable || attempt >= maxAttempts;
        try {
          const response = await client.request(path, options);
          if (last || !RETRY_STATUSES.has(response.status)) return response;
        } catch (error) {
          // The caller's own abort is an answer, not a failure to retry.
          if (last || options.signal?.aborted || !isRetryableError(error)) throw error;
        }
        // The caller's signal also cuts the pause short.
        await sleep(backoffDelay(attempt, policy, random), undefined, { signal: options.signal });
      }
    },
  };
}
// #endregion with-retries
