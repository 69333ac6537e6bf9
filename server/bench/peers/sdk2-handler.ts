// The SDK 2.x pattern: createMcpHandler with a server factory, on node:http
// through @modelcontextprotocol/node's toNodeHandler.
import http from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { announce, createLookup, lookupSchema, TOOL_DESCRIPTION } from './shared.ts';

const lookup = createLookup();

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'sdk2', version: '1.0.0' });
  server.registerTool('lookup', { description: TOOL_DESCRIPTION, inputSchema: lookupSchema }, async ({ key }) => ({
    content: [{ type: 'text', text: lookup.get(key) }],
  }));
  return server;
});
const node = toNodeHandler(handler);
announce(http.createServer((req, res) => void node(req, res)));
