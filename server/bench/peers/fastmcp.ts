// Type-checked separately: fastmcp is not in package.json (tsconfig excludes this file).
// fastmcp 4.20 in httpStream stateless mode (installed on demand into
// .workbook/peers by the benchmark, outside package.json: it needs Node 22).
import { FastMCP } from 'fastmcp';
import { createLookup, lookupSchema, TOOL_DESCRIPTION } from './shared.ts';
import net from 'node:net';

const lookup = createLookup();
const server = new FastMCP({ name: 'fastmcp-peer', version: '1.0.0' });
server.addTool({ name: 'lookup', description: TOOL_DESCRIPTION, parameters: lookupSchema, execute: async ({ key }) => lookup.get(key) });

// fastmcp wants a port number up front: take a free one.
const port = await new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(port));
  });
});
await server.start({ transportType: 'httpStream', httpStream: { port, host: '127.0.0.1', endpoint: '/mcp', stateless: true, enableJsonResponse: true } as never });
console.log(JSON.stringify({ url: `http://127.0.0.1:${port}/mcp` }));
