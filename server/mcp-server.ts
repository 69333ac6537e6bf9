// The one McpServer this process runs: every tool registered once, at start.
// Over HTTP it serves every client through the multiplexing transport; over
// stdio it serves the one client on the other end of the pipe.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { registerActionTools } from './tools/action-tools.ts';
import { registerComputeTools } from './tools/compute-tools.ts';
import type { ToolContext } from './tools/context.ts';
import { registerConformanceFixtures } from './tools/fixtures.ts';
import { registerQueryTools } from './tools/query-tools.ts';
import { registerStatusTools } from './tools/status-tools.ts';

export const SERVER_INFO = { name: 'fast-mcp-workbook-server', version: '0.1.0' };

/** Most values (array items + object fields, all levels) one call's arguments may hold. */
export const MAX_ARGUMENT_ELEMENTS = 20_000;

export interface McpServerOptions {
  conformanceFixtures?: boolean;
  /** Over stateless HTTP there is no session to keep a client's log level in (see below). */
  stateless?: boolean;
}

export function createMcpServer(ctx: ToolContext, options: McpServerOptions = {}): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: { listChanged: false }, logging: {} },
    maxToolInputElements: MAX_ARGUMENT_ELEMENTS,
    instructions:
      'Query tools (get_user, search_users_cached, lookup) answer from a multi-level cache; search_users and get_users read the database directly. ' +
      'status and metrics describe the server itself.',
  });
  registerQueryTools(server, ctx);
  registerActionTools(server, ctx);
  registerStatusTools(server, ctx);
  registerComputeTools(server, ctx);
  if (options.conformanceFixtures) registerConformanceFixtures(server, ctx);

  if (options.stateless) {
    // The SDK keeps the level per session id, and a stateless request has
    // none: every client would share one level, so one client could silence
    // the others. Accept the request (the spec requires an empty result) and
    // keep nothing; log notifications only ever go to the stream of the call
    // that produced them, so no client receives another's logs.
    server.server.setRequestHandler(SetLevelRequestSchema, async () => ({}));
  }
  return server;
}
