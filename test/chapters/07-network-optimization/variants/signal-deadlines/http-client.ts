// One HTTP client per upstream, shared by every call: a bounded pool of
// keep-alive connections, a timeout for each phase of a request, the caller's
// AbortSignal honoured, compressed answers asked for and decoded, and every
// call recorded in the client metrics.
import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import type { ClientMetrics } from './client-metrics.ts';
import { ACCEPT_ENCODING, decompressBody } from './compression.ts';

export interface HttpClientOptions {
  /** Most sockets open to the upstream at once; further requests queue in the pool. */
  connections?: number;
  /** Time allowed to open a TCP connection. */
  connectTimeoutMs?: number;
  /** Time allowed from sending the request to receiving the response headers. */
  headersTimeoutMs?: number;
  /** Longest silence allowed between two chunks of the response body. */
  bodyTimeoutMs?: number;
  /** How long an idle connection is kept open for the next request. */
  keepAliveTimeoutMs?: number;
  /** Where each call's latency, outcome and bytes are recorded. */
  metrics?: ClientMetrics;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The caller's signal: aborting it abandons the request and frees its socket. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, decoded if the upstream compressed it. */
  body: Buffer;
  /** Body bytes as they came over the wire, before decoding. */
  wireBytes: number;
}

export interface HttpClient {
  readonly origin: string;
  request(path: string, options?: RequestOptions): Promise<HttpResponse>;
  /** Finish the requests in flight, then close every connection. */
  close(): Promise<void>;
}

export type Phase = 'connect' | 'headers' | 'body';

/** A phase of the request took longer than allowed. */
export class UpstreamTimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(
    readonly phase: Phase,
    what: string,
    limitMs: number,
    options?: ErrorOptions,
  ) {
    super(`${what}: no ${phase === 'connect' ? 'connection' : phase === 'headers' ? 'response headers' : 'body data'} within ${limitMs} ms`, options);
  }
}

export function createHttpClient(origin: string, options: HttpClientOptions = {}): HttpClient {
  const {
    connections = 10,
    connectTimeoutMs = 2_000,
    headersTimeoutMs = 10_000,
    bodyTimeoutMs = 10_000,
    keepAliveTimeoutMs = 30_000,
    metrics,
  } = options;

  // #region pool
  // Created once, with the client. Each connection is kept open after its
  // response (keep-alive) and reused by the next request, so a thousand calls
  // cost at most `connections` TCP handshakes instead of a thousand.
  const pool = new Pool(origin, {
    connections,
    connectTimeout: connectTimeoutMs,
    // Ours fire first; undici's stay as a backstop.
    headersTimeout: headersTimeoutMs * 2,
    bodyTimeout: bodyTimeoutMs * 2,
    keepAliveTimeout: keepAliveTimeoutMs,
  });
  // #endregion pool

  return {
    origin,
    // #region request
    async request(path, { method = 'GET', headers = {}, body, signal } = {}) {
      const started = performance.now();
      const what = `${method} ${origin}${path}`;
      let ok = false;
      let wireBytes = 0;
      // Our own deadlines, to the millisecond: one controller aborts the
      // request (and undici destroys its socket) with the right error.
      const deadline = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const arm = (phase: 'headers' | 'body', ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => deadline.abort(new UpstreamTimeoutError(phase, what, ms)), ms);
      };
      try {
        arm('headers', headersTimeoutMs);
        const response = await pool.request({
          path,
          method,
          body,
          signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
          headers: { 'accept-encoding': ACCEPT_ENCODING, ...headers },
        });
        const chunks: Buffer[] = [];
        // The body deadline is a limit on silence: re-armed by every chunk.
        arm('body', bodyTimeoutMs);
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          arm('body', bodyTimeoutMs);
          chunks.push(chunk);
          wireBytes += chunk.length;
        }
        clearTimeout(timer);
        const encoding = response.headers['content-encoding'];
        const decoded = await decompressBody(Buffer.concat(chunks), Array.isArray(encoding) ? encoding.join(',') : encoding);
        ok = response.statusCode < 500;
        return { status: response.statusCode, headers: response.headers, body: decoded, wireBytes };
      } catch (error) {
        if ((error as { code?: string }).code === 'UND_ERR_CONNECT_TIMEOUT') {
          throw new UpstreamTimeoutError('connect', what, connectTimeoutMs, { cause: error });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        metrics?.record(new URL(path, origin), {
          durationMs: performance.now() - started,
          ok,
          bytesSent: body === undefined ? 0 : Buffer.byteLength(body),
          bytesReceived: wireBytes,
        });
      }
    },
    // #endregion request
    close: () => pool.close(),
  };
}
