// The services a chapter (or the reference server) can talk to, in one table:
// each runs embedded by default and on a real server when its environment
// variable is set. A real service that is configured but does not answer in
// its own protocol is reported by name, within seconds, before any check runs.
// Passwords in service URLs are never printed or saved (maskSecrets).
import net from 'node:net';
import { engineSetting } from '../paths.ts';
import type { ChapterSpec, RunProblem } from '../types.ts';

export type ServiceName = 'postgres' | 'redis';
export type ServiceMode = 'embedded' | 'real';

export const services: Record<ServiceName, { label: string; env: string; defaultUrl: string; embedded: string; port: number }> = {
  postgres: {
    label: 'PostgreSQL',
    env: 'DATABASE_URL',
    defaultUrl: 'postgres://postgres@127.0.0.1:5432/test',
    embedded: 'PGlite',
    port: 5432,
  },
  redis: {
    label: 'Redis',
    env: 'REDIS_URL',
    defaultUrl: 'redis://127.0.0.1:6379',
    embedded: 'ioredis-mock',
    port: 6379,
  },
};

/** The URL of the real service, when its variable is set (empty counts as unset). */
export function serviceUrl(service: ServiceName): string | undefined {
  return process.env[services[service].env] || undefined;
}

export function serviceMode(service: ServiceName): ServiceMode {
  return serviceUrl(service) ? 'real' : 'embedded';
}

/** Where the both-modes test runs point a real service: the variable if set, else this machine's default. */
export function realServiceUrl(service: ServiceName): string {
  return serviceUrl(service) ?? services[service].defaultUrl;
}

export function backendName(): string {
  return `db:${serviceMode('postgres')} cache:${serviceMode('redis')}`;
}

/**
 * The Redis logical database chapter code runs in on a real server, unless the
 * URL names one (redis://host:6379/5). Keys of every run live under their own
 * prefix in it; a learner's KEYS or FLUSHDB reaches only this database, never
 * the data other programs keep in database 0.
 */
export const DEFAULT_REDIS_DB = 13;

export function redisDatabase(url: string): number {
  try {
    const fromUrl = new URL(url).pathname.replace(/^\//, '');
    if (/^\d+$/.test(fromUrl)) return Number(fromUrl);
  } catch {
    // An invalid URL is reported by serviceProblems.
  }
  const setting = Number(engineSetting('WORKBOOK_REDIS_DB'));
  return Number.isInteger(setting) && setting >= 0 ? setting : DEFAULT_REDIS_DB;
}

/** The URL with its password replaced by ***, safe to print and save. */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^/:@\s]*:)[^@/\s]+@/, '$1***@');
  }
}

/**
 * Remove passwords from text the CLI prints or saves: any user:password@ in a
 * URL, and the passwords of the configured service URLs wherever they appear
 * (a driver's error message may quote one on its own).
 */
export function maskSecrets(text: string): string {
  let masked = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/:@\s"'`]*:)[^@/\s"'`]+@/gi, '$1***@');
  for (const service of Object.keys(services) as ServiceName[]) {
    const url = serviceUrl(service);
    if (!url) continue;
    let password = '';
    try {
      password = decodeURIComponent(new URL(url).password);
    } catch {
      password = /\/\/[^/:@\s]*:([^@/\s]+)@/.exec(url)?.[1] ?? '';
    }
    if (password.length >= 3) masked = masked.split(password).join('***');
  }
  return masked;
}

/** Can a TCP connection be opened to the host and port of `url`? */
export function reachable(url: string, timeoutMs = 1_500): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname || '127.0.0.1';
    port = Number(parsed.port) || (parsed.protocol.startsWith('redis') ? services.redis.port : services.postgres.port);
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

/** How long a pre-check may take per service: the scorecard names the problem within 3 s. */
const PROBE_TIMEOUT_MS = 2_500;

/**
 * Ask the service in its own protocol: `SELECT 1` for PostgreSQL, `PING` (and
 * `SELECT` of the workbook's database) for Redis. Resolves to what is wrong,
 * or undefined when it answered.
 */
export async function probeService(service: ServiceName, url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  try {
    const parsed = new URL(url);
    const expected = service === 'postgres' ? ['postgres:', 'postgresql:'] : ['redis:', 'rediss:'];
    if (!expected.includes(parsed.protocol)) return `it is not a ${services[service].label} URL (it should start with ${expected[0]}//)`;
  } catch {
    return 'it is not a valid URL';
  }
  let cancel = () => {};
  const timeout = new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve(`nothing answered as ${services[service].label} within ${timeoutMs / 1000} s`), timeoutMs);
    cancel = () => clearTimeout(timer);
  });
  const close: Array<() => void> = [];
  const attempt = (service === 'postgres' ? probePostgres(url, timeoutMs, close) : probeRedis(url, timeoutMs, close)).catch(
    (error: Error) => error.message || String(error),
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    cancel();
    for (const end of close) end();
  }
}

async function probePostgres(url: string, timeoutMs: number, close: Array<() => void>): Promise<string | undefined> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  close.push(() => void client.end().catch(() => {}));
  await client.connect();
  const result = await client.query('SELECT 1 AS one');
  return result.rows[0]?.one === 1 ? undefined : 'SELECT 1 did not return 1';
}

async function probeRedis(url: string, timeoutMs: number, close: Array<() => void>): Promise<string | undefined> {
  const { Redis } = await import('ioredis');
  const db = redisDatabase(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    db: 0,
  });
  client.on('error', () => {});
  close.push(() => client.disconnect());
  await client.connect();
  const pong = await client.ping();
  if (pong !== 'PONG') return `PING answered ${JSON.stringify(pong)} instead of PONG`;
  try {
    await client.select(db);
  } catch (error) {
    return (
      `it has no database ${db}, where the workbook keeps chapter data apart from yours (${(error as Error).message}). ` +
      'Set WORKBOOK_REDIS_DB to a database number it has, or name one in the URL (redis://host:6379/5)'
    );
  }
  return undefined;
}

/** Problems with the real services this chapter was pointed at, if any. */
export async function serviceProblems(chapter: ChapterSpec): Promise<RunProblem[]> {
  const checks = (chapter.services ?? []).map(async (service): Promise<RunProblem | undefined> => {
    const { env, label } = services[service];
    const url = serviceUrl(service);
    if (!url) return undefined;
    const problem = await probeService(service, url);
    if (!problem) return undefined;
    return {
      kind: 'service',
      message: maskSecrets(
        `${env}=${printableUrl(url)} is set, but ${label} did not answer there: ${problem}. ` +
          `Start ${label} or fix the URL, or unset ${env} to use the embedded ${services[service].embedded}.`,
      ),
    };
  });
  return (await Promise.all(checks)).filter((p): p is RunProblem => p !== undefined);
}
