// The near-limit reference: JSON-RPC by hand on node:http, no MCP library, no
// validation beyond what the lookup needs. Nothing real should ship like this;
// it shows what the transport and the tool cost on their own.
import http from 'node:http';
import { announce, createLookup, readBody } from './shared.ts';

const lookup = createLookup();
const HEADERS = ['content-type', 'application/json'];

announce(
  http.createServer(async (req, res) => {
    const message = JSON.parse(await readBody(req));
    let result: unknown;
    if (message.method === 'tools/call' && message.params?.name === 'lookup') {
      result = { content: [{ type: 'text', text: lookup.get(String(message.params.arguments?.key)) }] };
    } else if (message.method === 'initialize') {
      result = { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'hand-written', version: '1.0.0' } };
    } else if (message.method === 'tools/list') {
      result = { tools: [{ name: 'lookup', inputSchema: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] } }] };
    } else if (message.id === undefined) {
      return void res.writeHead(202).end();
    } else {
      res.writeHead(200, HEADERS);
      return void res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } }));
    }
    res.writeHead(200, HEADERS);
    res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
  }),
);
