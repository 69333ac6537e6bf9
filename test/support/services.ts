// Real PostgreSQL and Redis for the both-modes runs. Reachability is checked
// with a plain TCP connect so an unreachable service is reported by name.
import net from 'node:net';

export const realServices = {
  postgres: { env: 'DATABASE_URL', url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  redis: { env: 'REDIS_URL', url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
} as const;

export function reachable(url: string, timeoutMs = 1_500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
