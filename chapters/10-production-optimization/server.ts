// One instance of a production MCP server over Streamable HTTP, with a session
// per client: initialize creates an McpServer and a transport, and every later
// request of that client is answered by them.
// In front of every tool call: Origin check, admission control, a per-client
// rate limit shared through Redis. Beside it: health, readiness and metrics.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { createAdmissionControl, type AdmissionControl, type AdmissionOptions } from './admission.ts';
import { createHealth, type DependencyCheck, type Health, type HealthOptions } from './health.ts';
import { createTelemetry, type Telemetry, type TelemetryOptions } from './observability.ts';
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from './rate-limit.ts';

export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: ZodRawShapeCompat;
  /** The tool's work; returns the text of the result. */
  run(args: Record<string, unknown>, context: { signal: AbortSignal }): Promise<string>;
}

export interface ServerDeps {
  /** This instance's Redis connection: the rate limit lives there, shared by every instance. */
  redis: Redis;
  tools: ToolSpec[];
  /** What readiness asks about (Redis, the database…). */
  dependencies?: DependencyCheck[];
  /** Where log lines go (default stdout). */
  logStream?: DestinationStream;
}

export interface ServerOptions {
  instanceId?: string;
  host?: string;
  port?: number;
  /** Browser origins allowed to call; requests without an Origin header (non-browser clients) are allowed. */
  allowedOrigins?: string[];
  /** The header that names the calling client for the rate limit. */
  clientIdHeader?: string;
  maxBodyBytes?: number;
  admission?: AdmissionOptions;
  rateLimit?: RateLimitOptions;
  health?: HealthOptions;
  telemetry?: Omit<TelemetryOptions, 'instanceId' | 'logStream'>;
}

export interface ProductionServer {
  instanceId: string;
  /** The MCP endpoint, http://127.0.0.1:port/mcp */
  url: string;
  /** http://127.0.0.1:port */
  origin: string;
  http: http.Server;
  health: Health;
  telemetry: Telemetry;
  admission: AdmissionControl;
  limiter: RateLimiter;
  /** Stop taking work: readiness fails, the listener closes, connections close after their current response. */
  beginDrain(): void;
  /** Resolves once no request is being handled. */
  drained(): Promise<void>;
  /** Close every connection and stop the server's timers (after a drain, or in tests). */
  close(): Promise<void>;
}

export const DEFAULT_SERVER = {
  host: '127.0.0.1',
  port: 0,
  allowedOrigins: [] as string[],
  clientIdHeader: 'x-client-id',
  maxBodyBytes: 1024 * 1024,
  rateLimit: { capacity: 60, refillPerSecond: 1 } satisfies RateLimitOptions,
};

interface JsonRpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: { name?: unknown };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startServer(deps: ServerDeps, options: ServerOptions = {}): Promise<ProductionServer> {
  const settings = { ...DEFAULT_SERVER, ...options };
  const instanceId = options.instanceId ?? randomUUID().slice(0, 8);
  const telemetry = createTelemetry({
    ...options.telemetry,
    instanceId,
    ...(deps.logStream ? { logStream: deps.logStream } : {}),
  });
  const admission = createAdmissionControl(options.admission);
  const limiter = createRateLimiter(deps.redis, settings.rateLimit);
  const health = createHealth(deps.dependencies ?? [], options.health);
  const clientHeader = settings.clientIdHeader.toLowerCase();

  const jsonSchemaValidator = new AjvJsonSchemaValidator();

  /** The MCP server for one session. */
  function mcpServerFor(): McpServer {
    const mcp = new McpServer({ name: 'production-mcp', version: '1.0.0' }, { jsonSchemaValidator });
    for (const tool of deps.tools) {
      mcp.registerTool(tool.name, { description: tool.description, inputSchema: tool.inputSchema }, async (args, extra) => {
        const started = performance.now();
        const endSpan = telemetry.startSpan(`tool:${tool.name}`);
        const client = headerValue(extra.requestInfo?.headers?.[clientHeader]) ?? 'anonymous';
        let outcome: 'ok' | 'error' = 'ok';
        try {
          const text = await tool.run(args as Record<string, unknown>, { signal: extra.signal });
          return { content: [{ type: 'text' as const, text }] };
        } catch (error) {
          outcome = 'error';
          return { isError: true, content: [{ type: 'text' as const, text: `${tool.name} failed: ${(error as Error).message}` }] };
        } finally {
          endSpan();
          telemetry.recordCall({ tool: tool.name, client, requestId: extra.requestId, outcome, durationMs: performance.now() - started });
        }
      });
    }
    return mcp;
  }

  // #region sessions
  // One MCP server and transport per session, kept here until the client goes
  // away: the session id in every later request finds its transport again.
  const sessions = new Map<string, StreamableHTTPServerTransport>();

  async function handleMcp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let release = () => {};
    let gone = false;
    res.once('close', () => {
      gone = true;
      release();
      telemetry.setInFlight(admission.inFlight());
    });
    // Admission first: refusing must cost less than anything else we do.
    const ticket = await admission.admit();
    if (!ticket.admitted) {
      telemetry.recordShed(ticket.reason);
      refuse(res, 503, ticket.retryAfterSeconds, null, `server overloaded (${ticket.reason}): retry after ${ticket.retryAfterSeconds} s`);
      return;
    }
    // A client that gave up while we decided must not keep its slot.
    if (gone) return ticket.release();
    release = ticket.release;
    telemetry.setInFlight(admission.inFlight());

    const body = await readJson(req, settings.maxBodyBytes);
    const calls = (Array.isArray(body) ? body : [body]) as JsonRpcMessage[];
    const toolCalls = calls.filter((message) => message?.method === 'tools/call');
    if (toolCalls.length > 0) {
      const client = headerValue(req.headers[clientHeader]) ?? `anonymous:${req.socket.remoteAddress}`;
      const decision = await limiter.take(client, toolCalls.length);
      if (!decision.allowed) {
        telemetry.recordRateLimited(client);
        const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        refuse(res, 429, seconds, toolCalls[0]!.id ?? null, `rate limit exceeded for ${client}: retry after ${seconds} s`);
        return;
      }
    }

    const sessionId = headerValue(req.headers['mcp-session-id']);
    let transport = sessionId ? sessions.get(sessionId) : undefined;
    if (!transport) {
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          sessions.set(id, created);
        },
      });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await mcpServerFor().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  }
  // #endregion sessions

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && !settings.allowedOrigins.includes(origin)) {
      // A web page on another site must not drive a server on this machine (DNS rebinding).
      refuse(res, 403, undefined, null, `origin ${origin} is not allowed`);
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/mcp') {
      if (req.method === 'POST') return handleMcp(req, res);
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' });
      res.end(JSON.stringify(rpcError(null, -32000, 'method not allowed: POST only')));
      return;
    }
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    if (path === '/healthz' || path === '/readyz') {
      const report = path === '/healthz' ? await health.liveness() : await health.readiness();
      return sendJson(res, report.ok ? 200 : 503, report);
    }
    if (path === '/metrics') {
      const { contentType, text } = await telemetry.metrics();
      res.writeHead(200, { 'content-type': contentType });
      res.end(text);
      return;
    }
    sendJson(res, 404, { error: `nothing at ${path}` });
  }

  // #region drain
  let draining = false;
  const open = new Set<http.ServerResponse>();
  let onIdle: Array<() => void> = [];
  const server = http.createServer(
    {
      // Longer than the load balancer's idle timeout (60 s on most), so the
      // balancer, not us, closes idle connections: no request races a close.
      keepAliveTimeout: 65_000,
      // A client gets this long to send its headers, and the whole request.
      headersTimeout: 10_000,
      requestTimeout: 30_000,
    },
    (req, res) => {
      open.add(res);
      res.once('close', () => {
        open.delete(res);
        // While draining, a connection closes as soon as its response is out,
        // so its client reconnects (to another instance) for the next request.
        if (draining) setImmediate(() => server.closeIdleConnections());
        if (open.size === 0) for (const resolve of onIdle.splice(0)) resolve();
      });
      if (draining) res.setHeader('connection', 'close');
      route(req, res).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (status === 500) telemetry.logger.error({ err: error }, 'request failed');
        if (!res.headersSent) refuse(res, status, undefined, null, (error as Error).message);
        else res.destroy();
      });
    },
  );
  // #endregion drain

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${settings.host}:${port}`;

  return {
    instanceId,
    url: `${origin}/mcp`,
    origin,
    http: server,
    health,
    telemetry,
    admission,
    limiter,
    // #region begin-drain
    beginDrain() {
      if (draining) return;
      draining = true;
      health.setDraining();
      // Stop listening; Node also closes connections with no request in progress.
      server.close();
      // Connections busy with a request close once it is answered.
      for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
    },
    // #endregion begin-drain
    drained() {
      if (open.size === 0) return Promise.resolve();
      return new Promise((resolve) => onIdle.push(resolve));
    },
    async close() {
      draining = true;
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      admission.close();
      onIdle = [];
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.length > 0 ? first : undefined;
}

function rpcError(id: string | number | null, code: number, message: string) {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

// #region refuse
/** A refusal a client and a load balancer both understand: status, Retry-After, and a JSON-RPC error. */
function refuse(res: http.ServerResponse, status: number, retryAfterSeconds: number | undefined, id: string | number | null, message: string): void {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(JSON.stringify(rpcError(id, status === 429 ? -32029 : -32000, message)));
}
// #endregion refuse

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** The request body as JSON, refusing bodies over `limit` bytes. */
async function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
