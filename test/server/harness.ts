// Starts the reference server as a child process (the built bundle, so it is
// up in a second or two) and talks JSON-RPC to it over undici. Every server
// listens on 127.0.0.1 port 0 and is killed when the test process exits.
import { PassThrough, Readable } from 'node:stream';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'undici';
import { buildServer, builtEnv } from '../../server/build.ts';
import { workbookDir } from '../../workbook/paths.ts';

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
} as const;

let built: Promise<string> | undefined;

/** Bundle the server once per test process. */
export function builtServerFile(): Promise<string> {
  // Built under a name of our own, then renamed: a test run beside this one
  // (or a load test) never starts a half-written file, and nothing piles up.
  built ??= (async () => {
    const file = path.join(workbookDir, 'build', 'server-test.mjs');
    const partial = await buildServer(undefined, path.join(workbookDir, 'build', `server-test-${process.pid}.partial.mjs`));
    renameSync(partial, file);
    return file;
  })();
  return built;
}

export interface ServerProcess {
  url: string;
  origin: string;
  child: ChildProcess;
  /** Everything the server logged (pino JSON lines on stderr). */
  log: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resident set size now, from /proc (the server's own view would need a call). */
  rssBytes(): number;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServer(options: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const file = await builtServerFile();
  const child = spawn(process.execPath, [file, ...(options.args ?? [])], {
    // Event-loop-delay shedding reacts to CPU starvation, which on a shared
    // test machine comes from the neighbours: off unless a test asks for it.
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', PORT: '0', LOG_LEVEL: 'info', MCP_MAX_EVENT_LOOP_DELAY_MS: '0', ...builtEnv(), ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  const log: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${options.timeoutMs ?? 30_000} ms:\n${log.join('')}`)), options.timeoutMs ?? 30_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log.push(chunk);
      const match = /"url":"(http:\/\/[^"]+)"/.exec(chunk);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${log.join('')}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    child,
    log,
    exited,
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface RpcAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON-RPC message (the last SSE event's data, for a stream). */
  json: any;
  ms: number;
}

export function client(origin: string, connections = 16): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 10_000 });
}

/** POST a body (object, raw string or a stream) to /mcp and read the whole answer. */
export async function post(pool: Pool, body: unknown, headers: Record<string, string> = {}): Promise<RpcAnswer> {
  const started = performance.now();
  const response = await pool.request({
    path: '/mcp',
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Readable ? body : JSON.stringify(body),
  });
  const text = await response.body.text();
  const ms = performance.now() - started;
  let json: any;
  try {
    const contentType = String(response.headers['content-type'] ?? '');
    if (contentType.startsWith('text/event-stream')) {
      const events = text.split('\n').filter((line) => line.startsWith('data: '));
      json = events.length ? JSON.parse(events[events.length - 1]!.slice(6)) : undefined;
    } else json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json, ms };
}

/** GET a path (/healthz, /readyz) and parse its JSON answer. */
export async function getJson(pool: Pool, path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await pool.request({ path, method: 'GET', headers });
  const text = await response.body.text();
  return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
}

let nextId = 1;

export function callTool(pool: Pool, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): Promise<RpcAnswer> {
  return post(pool, { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args, ...(meta && { _meta: meta }) } });
}

/**
 * A tools/call whose body is sent but for its last byte until `release()`.
 * Calls released together start together: sent plainly, a later body's upload
 * is starved by an earlier call's CPU slices, and on a busy machine the
 * earlier call is often over before the later one begins.
 */
export function heldToolCall(pool: Pool, name: string, args: Record<string, unknown>, options: { id?: string | number; headers?: Record<string, string> } = {}) {
  const message = { jsonrpc: '2.0', id: options.id ?? nextId++, method: 'tools/call', params: { name, arguments: args } };
  const body = Buffer.from(JSON.stringify(message));
  const stream = new PassThrough();
  stream.write(body.subarray(0, -1));
  return { answer: post(pool, stream, options.headers), release: () => void stream.end(body.subarray(-1)) };
}

/**
 * callTool, but a 503 with Retry-After (shed: the event loop lagged, e.g.
 * while PGlite compiles on first use) is retried after that wait, as a client
 * should; at most `tries` times.
 */
export async function callToolPolitely(pool: Pool, name: string, args: Record<string, unknown> = {}, tries = 20): Promise<RpcAnswer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await callTool(pool, name, args);
    const retryAfter = Number(answer.headers['retry-after']);
    if (answer.status !== 503 || !(retryAfter > 0) || attempt >= tries) return answer;
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 2) * 1000));
  }
}

/** The tool's text, or throws with what the server said instead. */
export function toolText(answer: RpcAnswer): string {
  const content = answer.json?.result?.content as Array<{ text?: string }> | undefined;
  if (answer.status !== 200 || !content) throw new Error(`HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  return content.map((c) => c.text ?? '').join('');
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
