// Everything the server reads from its environment and command line, in one
// place, with the safe default for each. Nothing else in server/ reads env.

export interface ServerConfig {
  /** 'http' (Streamable HTTP on host:port/mcp) or 'stdio'. */
  transport: 'http' | 'stdio';
  /** Loopback unless told otherwise: a local MCP server must not be reachable from the network. */
  host: string;
  /** 0 picks a free port (tests); the chosen one is printed and returned by listen(). */
  port: number;
  /** Extra values accepted in the Host header besides localhost/127.0.0.1/[::1] on our port. */
  allowedHosts: string[];
  /** Origins allowed besides http(s)://localhost|127.0.0.1|[::1] on any port. */
  allowedOrigins: string[];
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Real PostgreSQL when set; embedded PGlite otherwise. */
  databaseUrl: string | undefined;
  /** shared_buffers of the embedded PGlite (its default, 128MB, costs ≈ 130 MB of RSS for a 1 000-row data set). */
  pgliteSharedBuffers: string;
  /** Schema the server's tables live in (real PostgreSQL). */
  databaseSchema: string;
  /** Real Redis when set; ioredis-mock in-process otherwise. */
  redisUrl: string | undefined;
  /** Prefix for every Redis key and the invalidation channel, so instances of other apps are never touched. */
  redisPrefix: string;
  /** Tool calls running at once before new ones are shed with a fast error. */
  maxInFlight: number;
  /** Shed new calls while the event loop lags more than this (mean over half a second, chapter 10's gauge); 0 turns it off. */
  maxEventLoopDelayMs: number;
  /**
   * Per-client token bucket (chapter 10, in Redis). 'auto': on with a real
   * Redis (REDIS_URL), off with the in-process ioredis-mock, which runs Lua in
   * a fresh VM per call (≈ 6 ms of blocked event loop each) and shares nothing
   * between processes anyway.
   */
  rateLimit: 'auto' | 'on' | 'off';
  /** Tokens per second refilled into each client's bucket. */
  rateLimitPerSecond: number;
  /** Bucket size: the largest burst one client may send. */
  rateLimitBurst: number;
  /** Header naming the calling client for the rate limit (else Mcp-Session-Id, else one shared "local" bucket). */
  clientIdHeader: string;
  /** Readiness: how long a dependency check result is reused, and the longest one check may take. */
  readinessCacheMs: number;
  readinessTimeoutMs: number;
  /** How long SIGTERM waits for in-flight calls before exiting anyway. */
  shutdownGraceMs: number;
  /**
   * Chapter 9's spans around every tool call and its stages ('on'), or none
   * ('off'). On Node 20 a span costs ≈ 4 µs of CPU per call (AsyncLocalStorage
   * puts a hook on every promise), ≈ 2.5 µs on Node 24.
   */
  profile: 'on' | 'off';
  /** Register the conformance suite's fixture tools (test_simple_text, …). Off by default. */
  conformanceFixtures: boolean;
  /** Rows seeded into the users table at start (embedded, or an empty real schema). */
  seedUsers: number;
}

const MiB = 1024 * 1024;

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
  return parsed;
}

function choice<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

/** A PostgreSQL memory setting such as 16MB. */
function memorySize(value: string | undefined, fallback: string, name: string): string {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+(kB|MB|GB)$/.test(value)) throw new Error(`${name} must be a size such as 16MB, not ${JSON.stringify(value)}`);
  return value;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The value of `--name=value` or `--name value`, if given. */
function flag(argv: readonly string[], name: string): string | undefined {
  const index = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index < 0) return undefined;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice(name.length + 1) : argv[index + 1];
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    transport: argv.includes('--stdio') ? 'stdio' : 'http',
    host: env.HOST || '127.0.0.1',
    port: integer(env.PORT, 3000, 'PORT'),
    allowedHosts: list(env.MCP_ALLOWED_HOSTS),
    allowedOrigins: list(env.MCP_ALLOWED_ORIGINS),
    maxBodyBytes: integer(env.MCP_MAX_BODY_BYTES, 1 * MiB, 'MCP_MAX_BODY_BYTES'),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.MCP_DB_SCHEMA || 'mcp_server',
    pgliteSharedBuffers: memorySize(env.MCP_PGLITE_SHARED_BUFFERS, '16MB', 'MCP_PGLITE_SHARED_BUFFERS'),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.MCP_REDIS_PREFIX || 'mcp:',
    maxInFlight: integer(env.MCP_MAX_IN_FLIGHT, 256, 'MCP_MAX_IN_FLIGHT'),
    maxEventLoopDelayMs: integer(env.MCP_MAX_EVENT_LOOP_DELAY_MS, 100, 'MCP_MAX_EVENT_LOOP_DELAY_MS'),
    rateLimit: choice(flag(argv, '--rate-limit') ?? env.MCP_RATE_LIMIT, ['auto', 'on', 'off'] as const, 'auto', 'MCP_RATE_LIMIT'),
    // Generous: a local client (npm run loadtest, bench:servers) is never throttled;
    // what it stops is a runaway loop in one client starving the others.
    rateLimitPerSecond: integer(env.MCP_RATE_LIMIT_PER_SECOND, 20_000, 'MCP_RATE_LIMIT_PER_SECOND'),
    rateLimitBurst: integer(env.MCP_RATE_LIMIT_BURST, 40_000, 'MCP_RATE_LIMIT_BURST'),
    clientIdHeader: (env.MCP_CLIENT_ID_HEADER || 'x-client-id').toLowerCase(),
    readinessCacheMs: integer(env.MCP_READINESS_CACHE_MS, 1_000, 'MCP_READINESS_CACHE_MS'),
    readinessTimeoutMs: integer(env.MCP_READINESS_TIMEOUT_MS, 250, 'MCP_READINESS_TIMEOUT_MS'),
    shutdownGraceMs: integer(env.MCP_SHUTDOWN_GRACE_MS, 10_000, 'MCP_SHUTDOWN_GRACE_MS'),
    profile: choice(env.MCP_PROFILE, ['on', 'off'] as const, 'on', 'MCP_PROFILE'),
    conformanceFixtures: argv.includes('--conformance-fixtures') || env.MCP_CONFORMANCE_FIXTURES === '1',
    seedUsers: integer(env.MCP_SEED_USERS, 1_000, 'MCP_SEED_USERS'),
  };
}
