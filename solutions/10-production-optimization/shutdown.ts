// Graceful shutdown. A deploy, a scale-in or a node drain sends SIGTERM and,
// some seconds later, SIGKILL. In between: stop taking work, finish the work
// already accepted, then close connections to Redis and the database, and exit.
import type { ProductionServer } from './server.ts';

/** What the shutdown uses of a server: drain, wait, close, and its log. Any server with these can be shut down gracefully. */
export type DrainableServer = Pick<ProductionServer, 'beginDrain' | 'drained' | 'close'> & {
  telemetry: Pick<ProductionServer['telemetry'], 'logger' | 'close'>;
};

export interface Closable {
  name: string;
  close(): Promise<unknown> | unknown;
}

export interface ShutdownOptions {
  /**
   * Longest wait for in-flight requests. Keep it under the orchestrator's
   * grace period (Kubernetes: terminationGracePeriodSeconds, 30 s by default).
   */
  drainTimeoutMs?: number;
  /** Longest wait for one resource to close. */
  closeTimeoutMs?: number;
  signals?: NodeJS.Signals[];
  /** How the process ends (tests pass their own). */
  exit?: (code: number) => void;
}

export interface ShutdownHandle {
  /** Run the shutdown now; resolves with the exit code. Later calls share the first run. */
  shutdown(reason: string): Promise<number>;
}

export const DEFAULT_SHUTDOWN = { drainTimeoutMs: 10_000, closeTimeoutMs: 2_000 };

export function installGracefulShutdown(
  server: DrainableServer,
  resources: Closable[],
  options: ShutdownOptions = {},
): ShutdownHandle {
  const { drainTimeoutMs, closeTimeoutMs } = { ...DEFAULT_SHUTDOWN, ...options };
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = server.telemetry.logger;
  let running: Promise<number> | undefined;

  // #region shutdown
  async function drainAndClose(reason: string): Promise<number> {
    log.info({ reason }, 'shutting down: draining in-flight requests');
    // 1. Take no new work: readiness turns "draining", the listener closes.
    server.beginDrain();
    // 2. Let accepted requests finish, but not forever: a stuck one must not
    //    hold the pod until SIGKILL cuts everything else off mid-response.
    const drained = await within(server.drained(), drainTimeoutMs);
    if (!drained) log.warn({ drainTimeoutMs }, 'requests still running at the drain deadline: closing them');
    await server.close();
    // 3. Only now close what those requests were using, in order.
    for (const resource of resources) {
      const closed = await within(Promise.resolve().then(() => resource.close()), closeTimeoutMs).catch(() => false);
      if (!closed) log.warn({ resource: resource.name }, 'did not close cleanly');
    }
    log.info({ drained }, 'shutdown complete');
    await server.telemetry.close();
    return drained ? 0 : 1;
  }
  // #endregion shutdown

  function shutdown(reason: string): Promise<number> {
    // A second signal (impatient operator, or SIGINT after SIGTERM) joins the first run.
    running ??= drainAndClose(reason).then((code) => {
      exit(code);
      return code;
    });
    return running;
  }

  for (const signal of signals) process.on(signal, () => void shutdown(signal));
  return { shutdown };
}

/** true if `work` settles within `ms`, false if the time ran out first. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
