// The HTTP side of the process: node:http (no framework: express costs about
// a quarter of the SDK README pattern's time), the Streamable HTTP handler,
// and the one McpServer behind the multiplexing transport.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Health } from '../../solutions/10-production-optimization/health.ts';
import type { Door } from '../production/admission.ts';
import { hostPolicy } from './guards.ts';
import { MultiplexTransport } from './multiplex-transport.ts';
import { createMcpHttpHandler } from './streamable-http.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  clientIdHeader: string;
  door: Door;
  health: Health;
  mcp: McpServer;
  /** The recent spans as a Chrome trace, served at GET /debug/trace. */
  trace(): unknown;
  /** Prometheus text exposition, served at GET /metrics. */
  metrics(): Promise<{ contentType: string; text: string }>;
}

export interface RunningHttpServer {
  http: http.Server;
  transport: MultiplexTransport;
  url: string;
  port: number;
  /** Refuse new calls (503, Connection: close) and turn readiness to "draining". */
  startDraining(): void;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const transport = new MultiplexTransport();
  await options.mcp.connect(transport);
  transport.dispatchDirectlyTo(options.mcp.server);
  let port = options.port;
  let draining = false;
  const handler = createMcpHttpHandler({
    transport,
    door: options.door,
    health: options.health,
    clientIdHeader: options.clientIdHeader,
    maxBodyBytes: options.maxBodyBytes,
    policy: hostPolicy(() => port, options.allowedHosts, options.allowedOrigins),
    isDraining: () => draining,
    trace: options.trace,
    metrics: options.metrics,
  });
  const server = http.createServer(
    {
      // Slow-loris bounds: the whole request (headers and body) within 30 s.
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    },
    handler,
  );
  // A malformed request line or header: answer 400 and close, never throw.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    http: server,
    transport,
    url: `http://${hostForUrl}:${port}/mcp`,
    port,
    startDraining: () => {
      draining = true;
      options.health.setDraining();
    },
  };
}
