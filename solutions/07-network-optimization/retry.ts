// Retries for calls that are safe to repeat: bounded in number, spaced by an
// exponential backoff with full jitter, and stopped when the caller gives up.
// A POST is sent once unless it carries an Idempotency-Key.
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
/** Methods whose effect is the same however many times they arrive (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * May this request be sent again? A POST that timed out may well have been
 * processed: sending it again charges the card twice. Unless the upstream
 * deduplicates it by an Idempotency-Key, it is sent once.
 */
export function isIdempotent(method: string, headers: Record<string, string> = {}): boolean {
  if (IDEMPOTENT_METHODS.has(method.toUpperCase())) return true;
  return Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key');
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
/**
 * The pause before retry number `attempt` (1 for the first retry): a random
 * time between 0 and base·2^(attempt−1), capped. Without the randomness, every
 * client that failed together retries together, and the upstream that was
 * recovering gets the whole crowd back in the same millisecond.
 */
export function backoffDelay(
  attempt: number,
  { baseDelayMs = 100, maxDelayMs = 2_000 }: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> = {},
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return random() * ceiling;
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
