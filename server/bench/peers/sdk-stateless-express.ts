// The SDK 1.x README's stateless pattern: express, and a new McpServer and
// transport for every request.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { announce, createLookup, lookupShape, TOOL_DESCRIPTION } from './shared.ts';

const lookup = createLookup();

function getServer(): McpServer {
  const server = new McpServer({ name: 'sdk-stateless', version: '1.0.0' });
  server.registerTool('lookup', { description: TOOL_DESCRIPTION, inputSchema: lookupShape }, async ({ key }) => ({
    content: [{ type: 'text', text: lookup.get(key) }],
  }));
  return server;
}

const app = express();
app.use(express.json());
app.post('/mcp', async (req: IncomingMessage & { body: unknown }, res: ServerResponse) => {
  const server = getServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
announce(http.createServer(app));
