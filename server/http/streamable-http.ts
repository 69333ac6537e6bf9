// Streamable HTTP (MCP 2025-11-25), stateless, on plain node:http: one POST
// carries one JSON-RPC message; a request is answered with JSON, or with an
// SSE stream once its tool sends a notification (progress, log) before the
// result. Every check a hostile or broken client can fail is answered with an
// HTTP status and a JSON-RPC error that says what to fix, and nothing it sends
// can throw out of this handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type JSONRPCNotification, type JSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Health } from '../../solutions/10-production-optimization/health.ts';
import type { Door } from '../production/admission.ts';
import { acceptsJsonAndSse, isJsonContentType, type HostPolicy } from './guards.ts';
import type { Exchange, MultiplexTransport } from './multiplex-transport.ts';

export interface HttpHandlerOptions {
  transport: MultiplexTransport;
  policy: HostPolicy;
  door: Door;
  health: Health;
  /** Header naming the calling client for the rate limit (lower case). */
  clientIdHeader: string;
  maxBodyBytes: number;
  isDraining(): boolean;
  /** GET /debug/trace: the recent spans as a Chrome trace (chapter 9), for Perfetto or chrome://tracing. */
  trace(): unknown;
  /** GET /metrics: chapter 10's Prometheus series (tool calls, durations, sheds, process). */
  metrics(): Promise<{ contentType: string; text: string }>;
}

const JSON_HEADERS = ['content-type', 'application/json'];
const SSE_HEADERS = ['content-type', 'text/event-stream', 'cache-control', 'no-cache, no-transform', 'x-accel-buffering', 'no'];
const MAX_TOOL_NAME = 128;
const supportedVersions = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS);

// JSON-RPC error codes: the spec's, plus -32000 for transport-level refusals.
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;
const SERVER_ERROR = -32000;
const REQUEST_CANCELLED = -32800;
/** Rate limited (chapter 10's code for HTTP 429). */
const RATE_LIMITED = -32029;
const MAX_CLIENT_KEY = 128;

function fail(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: RequestId | null = null,
  headers: string[] = [],
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, [...JSON_HEADERS, ...headers]);
  res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }));
}

// #region exchange
/** One call's HTTP response. JSON unless the tool notifies first; then SSE to the end. */
class HttpExchange implements Exchange {
  clientId: RequestId = 0;
  #streaming = false;
  #done = false;

  constructor(
    private readonly res: ServerResponse,
    readonly owner: string,
    private readonly release: () => void,
  ) {}

  get done(): boolean {
    return this.#done;
  }

  reply(message: JSONRPCMessage): void {
    if (!this.#finish()) return;
    const body = JSON.stringify(message);
    if (this.#streaming) this.res.end(`event: message\ndata: ${body}\n\n`);
    else {
      this.res.writeHead(200, JSON_HEADERS);
      this.res.end(body);
    }
  }

  notify(message: JSONRPCMessage): void {
    if (this.#done || this.res.destroyed) return;
    if (!this.#streaming) {
      this.#streaming = true;
      this.res.writeHead(200, SSE_HEADERS);
    }
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  abandon(reason: string): void {
    if (!this.#finish()) return;
    if (this.#streaming) this.res.end();
    else fail(this.res, 200, REQUEST_CANCELLED, `Request cancelled: ${reason}`, this.clientId);
  }

  /** Release the admission slot exactly once; false if already finished or the client is gone. */
  #finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.release();
    return !this.res.destroyed;
  }
}
// #endregion exchange

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What is wrong with a request's `_meta`, if anything (the SDK's RequestMetaSchema, by hand). */
function metaProblem(meta: unknown): string | undefined {
  if (meta === undefined) return undefined;
  if (!isPlainObject(meta)) return '"params._meta" must be an object';
  const token = meta.progressToken;
  if (token !== undefined && typeof token !== 'string' && !Number.isSafeInteger(token)) {
    return '"params._meta.progressToken" must be a string or an integer';
  }
  const task = meta['io.modelcontextprotocol/related-task'];
  if (task !== undefined && !(isPlainObject(task) && typeof task.taskId === 'string')) {
    return '"params._meta.io.modelcontextprotocol/related-task" must be { taskId: string }';
  }
  return undefined;
}

/**
 * Whose token bucket a call spends from. A loopback server sees every client
 * at 127.0.0.1 and, stateless, gets no Mcp-Session-Id from most: a client
 * that names itself (X-Client-Id by default) gets a bucket of its own; the
 * rest share one "local" bucket.
 */
function clientKey(req: IncomingMessage, idHeader: string): string {
  const named = header(req.headers[idHeader]) || header(req.headers['mcp-session-id']);
  return named ? named.slice(0, MAX_CLIENT_KEY) : 'local';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createMcpHttpHandler(options: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { transport, policy, door, health, maxBodyBytes } = options;

  // #region validate-message
  /** Check one parsed message's shape, then hand it to the transport. */
  function route(req: IncomingMessage, res: ServerResponse, message: unknown): void {
    if (Array.isArray(message)) {
      return fail(res, 400, INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported (MCP removed them in 2025-06-18); send one message per POST');
    }
    if (!isPlainObject(message)) return fail(res, 400, INVALID_REQUEST, 'Invalid Request: the body must be one JSON-RPC 2.0 message object');
    if (message.jsonrpc !== '2.0') return fail(res, 400, INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"');
    const { method, id, params } = message;
    const hasId = id !== undefined;
    if (hasId && typeof id !== 'string' && !Number.isSafeInteger(id)) {
      return fail(res, 400, INVALID_REQUEST, 'Invalid Request: "id" must be a string or an integer');
    }
    const owner = header(req.headers['mcp-session-id']) ?? '';
    const extra = { requestInfo: { headers: req.headers } };

    if (typeof method !== 'string') {
      if (hasId && ('result' in message || 'error' in message)) {
        // A response to a server-to-client request; a stateless server sends none.
        res.writeHead(202).end();
        return;
      }
      return fail(res, 400, INVALID_REQUEST, 'Invalid Request: a message needs a string "method" (request, notification) or "result"/"error" (response)', hasId ? (id as RequestId) : null);
    }
    // The SDK drops (never answers) a message its strict schema rejects, so
    // everything that schema checks is checked here first, cheaply.
    for (const key in message) {
      if (key !== 'jsonrpc' && key !== 'id' && key !== 'method' && key !== 'params') {
        return fail(res, 400, INVALID_REQUEST, `Invalid Request: unexpected field ${JSON.stringify(key.slice(0, 40))} in a JSON-RPC request or notification`, hasId ? (id as RequestId) : null);
      }
    }
    if (params !== undefined) {
      const problem = !isPlainObject(params) ? `"params" of ${method} must be an object` : metaProblem(params._meta);
      if (problem) return fail(res, hasId ? 200 : 400, INVALID_PARAMS, `Invalid params: ${problem}`, hasId ? (id as RequestId) : null);
    }
    if (!hasId) {
      transport.notification(message as unknown as JSONRPCNotification, owner, extra);
      res.writeHead(202).end();
      return;
    }
    const requestId = id as RequestId;
    if (method === 'tools/call') {
      const call = params as { name?: unknown; arguments?: unknown } | undefined;
      const name = call?.name;
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TOOL_NAME) {
        return fail(res, 200, INVALID_PARAMS, `Invalid params: tools/call needs "params.name", a tool name of 1-${MAX_TOOL_NAME} characters`, requestId);
      }
      if (call!.arguments !== undefined && !isPlainObject(call!.arguments)) {
        return fail(res, 200, INVALID_PARAMS, `Invalid params: "params.arguments" of tool ${name} must be an object`, requestId);
      }
    }
    // #region shed
    door.admit(clientKey(req, options.clientIdHeader), method === 'tools/call').then(
      (decision) => {
        if (!decision.admitted) {
          const code = decision.status === 429 ? RATE_LIMITED : SERVER_ERROR;
          return fail(res, decision.status, code, decision.message, requestId, ['retry-after', String(decision.retryAfterSeconds)]);
        }
        // A client that gave up while we decided must not keep its slot.
        if (res.destroyed) return decision.release();
        const exchange = new HttpExchange(res, owner, decision.release);
        const ours = transport.dispatch(message as unknown as JSONRPCRequest, exchange, extra);
        // A client that hangs up stops its call (the tool's AbortSignal fires).
        res.once('close', () => {
          if (!exchange.done) transport.cancel(ours, 'client disconnected');
        });
      },
      (error: Error) => fail(res, 500, -32603, `Internal error: ${error.message}`, requestId),
    );
    // #endregion shed
  }
  // #endregion validate-message

  function post(req: IncomingMessage, res: ServerResponse): void {
    if (options.isDraining()) {
      return fail(res, 503, SERVER_ERROR, 'Server shutting down: retry on another instance', null, ['connection', 'close', 'retry-after', '1']);
    }
    if (!acceptsJsonAndSse(req.headers.accept)) {
      return fail(res, 406, SERVER_ERROR, 'Not Acceptable: the Accept header must list both application/json and text/event-stream');
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      return fail(res, 415, SERVER_ERROR, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const version = header(req.headers['mcp-protocol-version']);
    if (version !== undefined && !supportedVersions.has(version)) {
      return fail(res, 400, SERVER_ERROR, `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version.slice(0, 40))} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
    }
    // An oversize body, declared or streamed, is answered 413 at once, then
    // read and dropped up to 4× the limit, so the client finishes its upload
    // and reads the answer. Closing on it mid-upload leaves unread bytes in
    // the socket, the kernel answers them with a reset, and the client sees
    // ECONNRESET instead of the 413 (14 of 200 tries here). Past 4×, hang up.
    const tooLarge = () => {
      fail(res, 413, SERVER_ERROR, `Payload Too Large: the body exceeds ${maxBodyBytes} bytes`);
    };
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes) {
      tooLarge();
      if (declared > 4 * maxBodyBytes) {
        res.once('finish', () => req.destroy());
        return;
      }
      req.on('data', () => {});
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (overflow) {
        // Read and drop a little more so the client sees the 413 rather than
        // a reset mid-upload; past that, hang up on it.
        if (size > 4 * maxBodyBytes) req.destroy();
        return;
      }
      if (size > maxBodyBytes) {
        overflow = true;
        chunks.length = 0;
        return tooLarge();
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (overflow) return;
      let message: unknown;
      try {
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
        message = JSON.parse(text);
      } catch {
        return fail(res, 400, PARSE_ERROR, 'Parse error: the body is not valid JSON');
      }
      try {
        route(req, res, message);
      } catch (error) {
        fail(res, 500, -32603, `Internal error: ${(error as Error).message}`);
      }
    });
    req.on('error', () => res.destroy());
  }

  return (req, res) => {
    try {
      if (!policy.hostAllowed(req.headers.host)) {
        return fail(res, 403, SERVER_ERROR, `Forbidden: Host ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))} is not this server (DNS rebinding protection); set MCP_ALLOWED_HOSTS to add one`);
      }
      if (!policy.originAllowed(header(req.headers.origin))) {
        return fail(res, 403, SERVER_ERROR, `Forbidden: Origin ${JSON.stringify(String(req.headers.origin).slice(0, 100))} may not call this server; set MCP_ALLOWED_ORIGINS to allow it`);
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (path === '/healthz' || path === '/readyz') {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          return fail(res, 405, SERVER_ERROR, `Method Not Allowed: ${path} answers GET`, null, ['allow', 'GET, HEAD']);
        }
        // Liveness never looks at the backends (a Redis blip must not restart
        // the process); readiness answers from chapter 10's cached, bounded checks.
        const report = path === '/healthz' ? health.liveness() : health.readiness();
        report.then(
          (value) => {
            res.writeHead(value.ok ? 200 : 503, JSON_HEADERS);
            res.end(JSON.stringify({ ...value, inFlight: door.inFlight() }));
          },
          (error: Error) => fail(res, 500, -32603, `Internal error: ${error.message}`),
        );
        return;
      }
      if (path === '/debug/trace') {
        if (req.method !== 'GET') return fail(res, 405, SERVER_ERROR, 'Method Not Allowed: /debug/trace answers GET', null, ['allow', 'GET']);
        // Span names and timings only, never arguments; behind the same Host and Origin guards.
        res.writeHead(200, [...JSON_HEADERS, 'content-disposition', 'attachment; filename="mcp-trace.json"']);
        res.end(JSON.stringify(options.trace()));
        return;
      }
      if (path === '/metrics') {
        if (req.method !== 'GET') return fail(res, 405, SERVER_ERROR, 'Method Not Allowed: /metrics answers GET', null, ['allow', 'GET']);
        options.metrics().then(
          ({ contentType, text }) => {
            res.writeHead(200, ['content-type', contentType]);
            res.end(text);
          },
          (error: Error) => fail(res, 500, -32603, `Internal error: ${error.message}`),
        );
        return;
      }
      if (path !== '/mcp') return fail(res, 404, SERVER_ERROR, 'Not Found: the MCP endpoint is /mcp (health: /healthz, /readyz; spans: /debug/trace; Prometheus: /metrics)');
      if (req.method === 'POST') return post(req, res);
      // Stateless: no session to delete, no standalone stream to open.
      return fail(res, 405, SERVER_ERROR, 'Method Not Allowed: this server is stateless; POST one JSON-RPC message to /mcp', null, ['allow', 'POST']);
    } catch (error) {
      fail(res, 500, -32603, `Internal error: ${(error as Error).message}`);
    }
  };
}
