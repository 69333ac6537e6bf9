// An address where TCP connections are never accepted, on loopback: a listener
// with a one-place accept queue, whose thread is blocked so it never accepts,
// and whose queue is already full. The kernel drops further SYNs, so a client
// connecting here waits exactly as it would for a host that has gone away.
import net from 'node:net';
import { Worker } from 'node:worker_threads';

const LISTENER = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  // Block this thread (so nothing is accepted) until told to stop, 20 s at most.
  Atomics.wait(new Int32Array(workerData), 0, 0, 20000);
  server.close();
});
`;

export interface Blackhole {
  origin: string;
  close(): Promise<void>;
}

export async function blackhole(): Promise<Blackhole> {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(LISTENER, { eval: true, workerData: stop });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Fill the accept queue: the kernel completes backlog + 1 handshakes, then drops SYNs.
  const fillers: net.Socket[] = [];
  let connected = 0;
  await new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, 300);
    for (let i = 0; i < 4; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.once('connect', () => {
        if (++connected >= 2) {
          clearTimeout(deadline);
          resolve();
        }
      });
      fillers.push(socket);
    }
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of fillers) socket.destroy();
      const view = new Int32Array(stop);
      Atomics.store(view, 0, 1);
      Atomics.notify(view, 0);
      await worker.terminate();
    },
  };
}
