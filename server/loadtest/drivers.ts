// How the load test talks to a server: Streamable HTTP through an undici Pool
// (keep-alive connections, one request per connection at a time), or stdio to
// a process it starts. Both answer call(method, params) with the outcome.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';

export interface Outcome {
  /** HTTP status (200 for stdio). 503 is a shed call. */
  status: number;
  /** The JSON-RPC result, if the call succeeded at the protocol level. */
  result?: any;
  /** A JSON-RPC error, or a transport failure. */
  error?: string;
}

export interface Driver {
  /** A request. */
  call(method: string, params?: Record<string, unknown>): Promise<Outcome>;
  /** A notification (no answer expected). */
  notify(method: string, params?: Record<string, unknown>): Promise<void>;
  /** The server process, when this driver started it. */
  pid?: number;
  close(): Promise<void>;
}

export const PROTOCOL_VERSION = '2025-11-25';

export function httpDriver(url: string, connections: number): Driver {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  let nextId = 1;

  async function post(body: string): Promise<{ status: number; text: string; sessionId?: string; contentType: string }> {
    const response = await pool.request({ path: target.pathname + target.search, method: 'POST', headers, body });
    const text = await response.body.text();
    const session = response.headers['mcp-session-id'];
    return { status: response.statusCode, text, sessionId: typeof session === 'string' ? session : undefined, contentType: String(response.headers['content-type'] ?? '') };
  }

  return {
    async call(method, params) {
      try {
        const reply = await post(JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }));
        if (reply.sessionId) headers['mcp-session-id'] = reply.sessionId;
        if (method === 'initialize') headers['mcp-protocol-version'] = PROTOCOL_VERSION;
        let message: any;
        if (reply.contentType.startsWith('text/event-stream')) {
          // The result is the last data line; progress and logs come before it.
          const data = reply.text.split('\n').filter((line) => line.startsWith('data: '));
          message = data.length ? JSON.parse(data[data.length - 1]!.slice(6)) : undefined;
        } else if (reply.text) message = JSON.parse(reply.text);
        if (message?.error) return { status: reply.status, error: `${message.error.code}: ${message.error.message}` };
        if (reply.status !== 200) return { status: reply.status, error: `HTTP ${reply.status}` };
        return { status: reply.status, result: message?.result };
      } catch (error) {
        return { status: 0, error: (error as Error).message };
      }
    },
    async notify(method, params) {
      await post(JSON.stringify({ jsonrpc: '2.0', method, params })).catch(() => undefined);
    },
    close: () => pool.close(),
  };
}

export function stdioDriver(command: string): Driver {
  const [file, ...args] = command.split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(file!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map<number, (outcome: Outcome) => void>();
  let nextId = 1;
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    let message: any;
    try {
      message = JSON.parse(line);
    } catch {
      return; // not JSON-RPC: a stray log line
    }
    const resolve = typeof message?.id === 'number' ? waiting.get(message.id) : undefined;
    if (!resolve || 'method' in message) return;
    waiting.delete(message.id);
    resolve(message.error ? { status: 200, error: `${message.error.code}: ${message.error.message}` } : { status: 200, result: message.result });
  });
  child.once('exit', () => {
    for (const resolve of waiting.values()) resolve({ status: 0, error: 'the server process exited' });
    waiting.clear();
  });
  const write = (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`);
  return {
    pid: child.pid,
    call(method, params) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        write({ jsonrpc: '2.0', id, method, params });
      });
    },
    async notify(method, params) {
      write({ jsonrpc: '2.0', method, params });
    },
    async close() {
      child.stdin!.end();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
