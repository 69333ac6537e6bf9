// An HTTP client on undici's top-level request() with an Agent as dispatcher:
// the Agent keeps a bounded keep-alive pool per origin.
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request as undiciRequest } from 'undici';
import type { ClientMetrics } from './client-metrics.ts';
import { ACCEPT_ENCODING, decompressBody } from './compression.ts';

export interface HttpClientOptions {
  connections?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  metrics?: ClientMetrics;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  wireBytes: number;
}

export interface HttpClient {
  readonly origin: string;
  request(path: string, options?: RequestOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}

export type Phase = 'connect' | 'headers' | 'body';

export class UpstreamTimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(
    readonly phase: Phase,
    what: string,
    limitMs: number,
    options?: ErrorOptions,
  ) {
    super(`${phase} timeout after ${limitMs} ms: ${what}`, options);
  }
}

function timeoutPhase(error: unknown): Phase | undefined {
  switch ((error as { code?: string } | undefined)?.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'headers';
    case 'UND_ERR_BODY_TIMEOUT':
      return 'body';
    default:
      return undefined;
  }
}

async function readAll(body: AsyncIterable<Buffer>): Promise<{ raw: Buffer; length: number }> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of body) {
    parts.push(part);
    length += part.length;
  }
  return { raw: Buffer.concat(parts, length), length };
}

export function createHttpClient(origin: string, options: HttpClientOptions = {}): HttpClient {
  const limits = {
    connect: options.connectTimeoutMs ?? 2_000,
    headers: options.headersTimeoutMs ?? 10_000,
    body: options.bodyTimeoutMs ?? 10_000,
  };
  const agent = new Agent({
    connections: options.connections ?? 10,
    connect: { timeout: limits.connect },
    headersTimeout: limits.headers,
    bodyTimeout: limits.body,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
  });

  const record = (url: URL, started: number, ok: boolean, sent: string | Buffer | undefined, received: number) =>
    options.metrics?.record(url, {
      durationMs: performance.now() - started,
      ok,
      bytesSent: sent === undefined ? 0 : Buffer.byteLength(sent),
      bytesReceived: received,
    });

  return {
    origin,
    async request(path, { method = 'GET', headers, body, signal } = {}) {
      const url = new URL(path, origin);
      const started = performance.now();
      let received = 0;
      let ok = false;
      try {
        const response = await undiciRequest(url, {
          dispatcher: agent,
          method: method as 'GET',
          body,
          signal,
          headers: { ...headers, 'accept-encoding': headers?.['accept-encoding'] ?? ACCEPT_ENCODING },
        });
        const { raw, length } = await readAll(response.body as AsyncIterable<Buffer>);
        received = length;
        const coding = response.headers['content-encoding'];
        const decoded = await decompressBody(raw, typeof coding === 'string' ? coding : coding?.[0]);
        ok = response.statusCode < 500;
        return { status: response.statusCode, headers: response.headers, body: decoded, wireBytes: length };
      } catch (error) {
        const phase = timeoutPhase(error);
        throw phase ? new UpstreamTimeoutError(phase, `${method} ${url.href}`, limits[phase], { cause: error }) : error;
      } finally {
        record(url, started, ok, body, received);
      }
    },
    close: () => agent.close(),
  };
}
