// One HTTP client per upstream: the tools call request() for everything they
// fetch, and the client records each call in the client metrics.
import type { IncomingHttpHeaders } from 'node:http';
import { Client } from 'undici';
import type { ClientMetrics } from './client-metrics.ts';

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
  const { headersTimeoutMs = 10_000, metrics } = options;

  return {
    origin,
    // #region request
    async request(path, { method = 'GET', headers = {}, body } = {}) {
      const started = performance.now();
      // A client of its own for every call, closed when the call is done: no
      // connection is ever shared between two calls.
      const client = new Client(origin);
      const call = (async () => {
        try {
          const response = await client.request({ path, method, headers, body });
          const received = Buffer.from(await response.body.arrayBuffer());
          metrics?.record(new URL(path, origin), {
            durationMs: performance.now() - started,
            ok: response.statusCode < 500,
            bytesSent: body === undefined ? 0 : Buffer.byteLength(body),
            bytesReceived: received.length,
          });
          return { status: response.statusCode, headers: response.headers, body: received, wireBytes: received.length };
        } finally {
          await client.close();
        }
      })();
      // Give up on an upstream that does not answer in time.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new UpstreamTimeoutError('headers', `${method} ${origin}${path}`, headersTimeoutMs)),
          headersTimeoutMs,
        );
      });
      try {
        return await Promise.race([call, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    // #endregion request
    async close() {
      // Every call closes its own client: nothing to do here.
    },
  };
}
