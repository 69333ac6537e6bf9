// Liveness and readiness, the two questions an orchestrator asks every few
// seconds: is this instance alive, and should traffic come here? Both are
// answered by asking every dependency.

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

export function createHealth(dependencies: DependencyCheck[], _options: HealthOptions = {}): Health {
  let draining = false;

  // #region check-every-time
  /** Ask every dependency, one after the other, and report what they said. */
  async function checkAll(): Promise<HealthReport> {
    const checks: Record<string, DependencyStatus> = {};
    for (const dependency of dependencies) {
      const started = performance.now();
      try {
        await dependency.check(new AbortController().signal);
        checks[dependency.name] = { ok: true, ms: performance.now() - started };
      } catch (error) {
        checks[dependency.name] = { ok: false, ms: performance.now() - started, error: (error as Error).message };
      }
    }
    const ok = Object.values(checks).every((status) => status.ok);
    return { ok, status: ok ? 'ok' : 'unavailable', checks };
  }

  return {
    async liveness() {
      // Alive means able to do our job, and our job needs our dependencies.
      return checkAll();
    },
    async readiness() {
      if (draining) return { ok: false, status: 'draining', checks: {} };
      return checkAll();
    },
    setDraining() {
      draining = true;
    },
  };
  // #endregion check-every-time
}
