// A local upstream for chapter 7: an HTTP server on 127.0.0.1 (port 0) whose
// behaviour each check scripts, and which counts what a network engineer would
// look at: TCP connections accepted, requests received, sockets open (now and
// at peak), requests still being served, bytes written.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';

export interface UpstreamStats {
  /** TCP connections accepted, from the server's 'connection' event. */
  connections: number;
  requests: number;
  /** Sockets open right now. */
  openSockets: number;
  peakOpenSockets: number;
  /** Requests received whose response has neither finished nor lost its socket. */
  unfinished: number;
  /** Bytes written to every socket so far (headers and bodies), closed ones included. */
  bytesWritten: number;
  /** Response body bytes written by `reply`, as sent (compressed if they were). */
  bodyBytes: number;
  /** "METHOD /path" of every request received, in order. */
  received: readonly string[];
}

export type Handler = (req: IncomingMessage, res: ServerResponse, upstream: Upstream) => unknown;

export interface ReplyOptions {
  status?: number;
  headers?: Record<string, string>;
  /** Compress as a typical server would: br or gzip, when accepted, from 1 KiB. */
  negotiate?: boolean;
}

export interface Upstream {
  readonly origin: string;
  readonly stats: UpstreamStats;
  /** Answer with `body`, counting its bytes. */
  reply(req: IncomingMessage, res: ServerResponse, body: string | Buffer, options?: ReplyOptions): void;
  /** A timer that is cleared when the upstream closes, so a stalled answer cannot outlive the check. */
  later(ms: number, fn: () => void): void;
  /** Drop every connection and stop listening. */
  close(): Promise<void>;
}

/** Read a request body to the end. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What the upstream's own compression picks: the first of br, gzip the client accepts with q > 0. */
export function upstreamEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return undefined;
}

export async function startUpstream(handler: Handler): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closedSocketBytes = 0;
  const counts = { connections: 0, requests: 0, peakOpenSockets: 0, unfinished: 0, bodyBytes: 0 };
  const received: string[] = [];
  const stats: UpstreamStats = {
    get connections() {
      return counts.connections;
    },
    get requests() {
      return counts.requests;
    },
    get openSockets() {
      return sockets.size;
    },
    get peakOpenSockets() {
      return counts.peakOpenSockets;
    },
    get unfinished() {
      return counts.unfinished;
    },
    get bytesWritten() {
      let total = closedSocketBytes;
      for (const socket of sockets) total += socket.bytesWritten;
      return total;
    },
    get bodyBytes() {
      return counts.bodyBytes;
    },
    received,
  };

  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    counts.requests++;
    counts.unfinished++;
    received.push(`${req.method} ${req.url}`);
    // 'close' comes once the response is finished or its socket is gone.
    res.once('close', () => counts.unfinished--);
    Promise.resolve(handler(req, res, upstream)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  // #region count-connections
  // One 'connection' event per TCP connection accepted, whoever opened it.
  server.on('connection', (socket: Socket) => {
    counts.connections++;
    sockets.add(socket);
    counts.peakOpenSockets = Math.max(counts.peakOpenSockets, sockets.size);
    socket.once('close', () => {
      closedSocketBytes += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  // #endregion count-connections
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const upstream: Upstream = {
    origin: `http://127.0.0.1:${port}`,
    stats,
    reply(req, res, body, { status = 200, headers = {}, negotiate = false } = {}) {
      let bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const encoding = negotiate && bytes.length >= 1_024 ? upstreamEncoding(req.headers['accept-encoding']) : undefined;
      if (encoding === 'br') {
        bytes = zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
      } else if (encoding === 'gzip') {
        bytes = zlib.gzipSync(bytes);
      }
      counts.bodyBytes += bytes.length;
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': String(bytes.length),
        ...(encoding ? { 'content-encoding': encoding, vary: 'accept-encoding' } : {}),
        ...headers,
      });
      res.end(bytes);
    },
    later(ms, fn) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return upstream;
}

/** Poll `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export async function eventually<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 1_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = read();
  while (!done(value) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = read();
  }
  return value;
}
