// Which backends a run talks to: embedded stand-ins by default, real
// PostgreSQL / Redis when DATABASE_URL / REDIS_URL are set. A real service
// that is configured but down is reported by name before any check runs.
import net from 'node:net';
import type { ChapterSpec, RunProblem } from './types.ts';

const serviceEnv = { postgres: 'DATABASE_URL', redis: 'REDIS_URL' } as const;

export function backendName(): string {
  const db = process.env.DATABASE_URL ? 'postgres' : 'embedded';
  const cache = process.env.REDIS_URL ? 'redis' : 'embedded';
  return `db:${db} cache:${cache}`;
}

/** Can a TCP connection be opened to the host and port of `url`? */
export function reachable(url: string, timeoutMs = 1_500): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname || '127.0.0.1';
    port = Number(parsed.port) || (parsed.protocol.startsWith('redis') ? 6379 : 5432);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Problems with the real services this chapter was pointed at, if any. */
export async function serviceProblems(chapter: ChapterSpec): Promise<RunProblem[]> {
  const problems: RunProblem[] = [];
  for (const service of chapter.services ?? []) {
    const variable = serviceEnv[service];
    const url = process.env[variable];
    if (!url || (await reachable(url))) continue;
    problems.push({
      kind: 'service',
      message:
        `${variable}=${url} is set, but nothing answered there. ` +
        `Start ${service === 'postgres' ? 'PostgreSQL' : 'Redis'}, or unset ${variable} to use the embedded stand-in.`,
    });
  }
  return problems;
}
