// A tiny round-robin load balancer for the horizontal-scale checks: each
// request goes to the next instance in turn, with no stickiness of any kind,
// and the proxy counts which instance answered what.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** Requests forwarded to each upstream, in the order given. */
  served: number[];
  /** Responses with status >= 400 from each upstream, by "METHOD status". */
  failures: Map<string, number>;
  close(): Promise<void>;
}

export async function roundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const served = upstreams.map(() => 0);
  const failures = new Map<string, number>();
  let next = 0;
  const server = http.createServer((req, res) => {
    const index = next++ % upstreams.length;
    served[index]!++;
    const target = new URL(req.url ?? '/', upstreams[index]);
    const forward = http.request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      if ((answer.statusCode ?? 500) >= 400) {
        const key = `${req.method} ${answer.statusCode}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => {
      failures.set(`${req.method} 502`, (failures.get(`${req.method} 502`) ?? 0) + 1);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    failures,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
