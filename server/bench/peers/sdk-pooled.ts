// SDK 1.x tuned the obvious way: one shared JSON Schema validator (each
// McpServer otherwise builds its own Ajv), a pool of pre-built servers on
// plain node:http, and a fresh stateless transport per request (the SDK
// refuses to reuse one).
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { announce, createLookup, lookupShape, readBody, TOOL_DESCRIPTION } from './shared.ts';

const lookup = createLookup();
const jsonSchemaValidator = new AjvJsonSchemaValidator();
const idle: McpServer[] = [];

function getServer(): McpServer {
  const pooled = idle.pop();
  if (pooled) return pooled;
  const server = new McpServer({ name: 'sdk-pooled', version: '1.0.0' }, { jsonSchemaValidator });
  server.registerTool('lookup', { description: TOOL_DESCRIPTION, inputSchema: lookupShape }, async ({ key }) => ({
    content: [{ type: 'text', text: lookup.get(key) }],
  }));
  return server;
}

announce(
  http.createServer(async (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const body = JSON.parse(await readBody(req));
    const server = getServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      // Detach the server from this request's transport and put it back.
      void server.close().then(() => idle.push(server));
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }),
);
