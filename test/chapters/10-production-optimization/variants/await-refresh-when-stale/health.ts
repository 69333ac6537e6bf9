// Liveness and readiness, the two questions an orchestrator asks every few
// seconds. Liveness: is this process able to answer at all (never look at
// dependencies, or a Redis blip restarts every pod at once)? Readiness: should
// traffic come here (dependencies checked, but cached and bounded by a timeout,
// so probes cost memory reads and a hung dependency cannot hang the probe)?

export interface DependencyCheck {
  name: string;
  /** Resolves if the dependency answers; should stop when `signal` aborts. */
  check(signal: AbortSignal): Promise<unknown>;
}

export interface DependencyStatus {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface HealthReport {
  ok: boolean;
  status: 'ok' | 'unavailable' | 'draining';
  checks: Record<string, DependencyStatus>;
}

export interface HealthOptions {
  /** How long a readiness result is reused before the dependencies are asked again. */
  cacheMs?: number;
  /** Longest wait for one dependency; past it the dependency counts as down. */
  timeoutMs?: number;
  /** Clock in ms (default performance.now). */
  now?: () => number;
}

export interface Health {
  liveness(): Promise<HealthReport>;
  readiness(): Promise<HealthReport>;
  /** From now on readiness says "draining": the load balancer stops sending traffic. */
  setDraining(): void;
}

/** A probe answers from memory, so the timeout only bounds the refresh behind it (kubelet gives a probe 1 s). */
export const DEFAULT_HEALTH = { cacheMs: 1_000, timeoutMs: 250 } satisfies HealthOptions;

export function createHealth(dependencies: DependencyCheck[], options: HealthOptions = {}): Health {
  const { cacheMs, timeoutMs } = { ...DEFAULT_HEALTH, ...options };
  const now = options.now ?? (() => performance.now());
  let draining = false;
  let latest: { report: HealthReport; at: number } | undefined;
  let refreshing: Promise<HealthReport> | undefined;

  // #region bounded-check
  /** One dependency, given at most timeoutMs; the check is told to stop when time is up. */
  async function probe(dependency: DependencyCheck): Promise<[string, DependencyStatus]> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      await Promise.race([dependency.check(controller.signal), deadline]);
      return [dependency.name, { ok: true, ms: performance.now() - started }];
    } catch (error) {
      return [dependency.name, { ok: false, ms: performance.now() - started, error: (error as Error).message }];
    } finally {
      clearTimeout(timer);
    }
  }
  // #endregion bounded-check

  // #region cached-readiness
  /** Ask every dependency at once; concurrent callers share one round. */
  function refresh(): Promise<HealthReport> {
    refreshing ??= Promise.all(dependencies.map(probe))
      .then((results) => {
        const ok = results.every(([, status]) => status.ok);
        const report: HealthReport = { ok, status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) };
        latest = { report, at: now() };
        return report;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  return {
    async liveness() {
      // Only what this process knows by itself: if it can run this, it is alive.
      return { ok: true, status: 'ok', checks: {} };
    },
    async readiness() {
      if (draining) return { ok: false, status: 'draining', checks: {} };
      // Fresh enough: from memory. Otherwise one probe (and any arriving meanwhile) waits for one bounded round.
      if (latest && now() - latest.at < cacheMs) return latest.report;
      return refresh();
    },
    setDraining() {
      draining = true;
    },
  };
  // #endregion cached-readiness
}
