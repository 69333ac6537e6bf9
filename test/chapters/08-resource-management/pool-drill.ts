// Fake resources and the pool drill: thousands of acquire/release cycles from
// many callers at once, with random failures (create refused, work throwing,
// resources breaking in use or going stale while idle, callers timing out or
// cancelling). The drill watches from outside: how many resources are lent out
// and alive at once, whether one is lent twice or lent after being destroyed,
// whether a waiting caller is overtaken, and what is left at the end.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../../support/random.ts';
import type { PoolOptions, ResourcePool } from '../../../solutions/08-resource-management/resource-pool.ts';

export interface FakeResource {
  id: number;
  /** False once it broke: validate() says so. */
  healthy: boolean;
}

export interface FactoryOptions {
  /** Share of create() calls that fail ("connection refused"). */
  createFailRate?: number;
  /** validate() answers after one event-loop turn, like a ping. */
  asyncValidate?: boolean;
  random?: () => number;
}

/** create / validate / destroy for a pool, counting what happens to every resource. */
export function fakeResources({ createFailRate = 0, asyncValidate = false, random = Math.random }: FactoryOptions = {}) {
  const created = new Set<FakeResource>();
  const destroyed = new Set<FakeResource>();
  let doubleDestroys = 0;
  let failNext = 0;
  const options = {
    async create(): Promise<FakeResource> {
      if (failNext > 0) {
        failNext--;
        throw new Error('connection refused');
      }
      if (createFailRate > 0 && random() < createFailRate) throw new Error('connection refused');
      const resource = { id: created.size + 1, healthy: true };
      created.add(resource);
      return resource;
    },
    validate(resource: FakeResource): boolean | Promise<boolean> {
      if (!asyncValidate) return resource.healthy;
      return nextTurn().then(() => resource.healthy);
    },
    destroy(resource: FakeResource): void {
      if (destroyed.has(resource)) doubleDestroys++;
      destroyed.add(resource);
    },
  } satisfies Omit<PoolOptions<FakeResource>, 'max'>;
  return {
    options,
    created,
    destroyed,
    /** Alive: created and not destroyed. */
    alive: () => created.size - destroyed.size,
    doubleDestroys: () => doubleDestroys,
    /** Make the next n create() calls fail. */
    failNextCreates(n: number) {
      failNext = n;
    },
  };
}

type PoolClass = new (options: PoolOptions<FakeResource>) => ResourcePool<FakeResource>;

export interface DrillOptions {
  cycles: number;
  max: number;
  callers: number;
  seed: number;
  /** Give up waiting for the callers after this long (a pool that lost its slots never answers). */
  budgetMs: number;
}

export interface DrillReport {
  cycles: number;
  granted: number;
  refused: { timeout: number; aborted: number; createFailed: number; other: number };
  workFailures: number;
  peakInUse: number;
  peakAlive: number;
  /** Acquires still unanswered when the budget ran out. */
  unanswered: number;
  /** A resource lent while already lent out. */
  lentTwice: number;
  /** A resource lent after the pool destroyed it. */
  lentDestroyed: number;
  /** A caller served while one that arrived before it was still waiting. */
  outOfOrder: number;
  /** Alive after the drill, neither idle in the pool nor lent out: nobody can ever use or close them. */
  lost: number;
  /** Still alive after close(). */
  leakedAfterClose: number;
  created: number;
}

export async function poolDrill(Pool: PoolClass, { cycles, max, callers, seed, budgetMs }: DrillOptions): Promise<DrillReport> {
  const random = seededRandom(seed);
  const resources = fakeResources({ createFailRate: 0.02, random });
  const pool = new Pool({ ...resources.options, max, acquireTimeoutMs: 60_000 });
  const inUse = new Set<FakeResource>();
  /** Arrival numbers of acquires not yet answered. */
  const waiting = new Set<number>();
  const report: DrillReport = {
    cycles,
    granted: 0,
    refused: { timeout: 0, aborted: 0, createFailed: 0, other: 0 },
    workFailures: 0,
    peakInUse: 0,
    peakAlive: 0,
    unanswered: 0,
    lentTwice: 0,
    lentDestroyed: 0,
    outOfOrder: 0,
    lost: 0,
    leakedAfterClose: 0,
    created: 0,
  };

  const lent = (arrival: number, resource: FakeResource) => {
    waiting.delete(arrival);
    for (const earlier of waiting) {
      if (earlier < arrival) {
        report.outOfOrder++;
        break;
      }
    }
    if (inUse.has(resource)) report.lentTwice++;
    if (resources.destroyed.has(resource)) report.lentDestroyed++;
    inUse.add(resource);
    report.granted++;
    report.peakInUse = Math.max(report.peakInUse, inUse.size);
    report.peakAlive = Math.max(report.peakAlive, resources.alive());
  };
  const hold = async () => {
    const turns = 1 + Math.floor(random() * 3);
    for (let i = 0; i < turns; i++) await nextTurn();
    report.peakAlive = Math.max(report.peakAlive, resources.alive());
  };
  const refused = (error: unknown) => {
    const name = (error as Error)?.name;
    if (name === 'TimeoutError') report.refused.timeout++;
    else if (name === 'AbortError' || (error as Error)?.message === 'client cancelled') report.refused.aborted++;
    else if ((error as Error)?.message === 'connection refused') report.refused.createFailed++;
    else report.refused.other++;
  };

  let started = 0;
  let arrivals = 0;
  const caller = async () => {
    while (started < cycles) {
      started++;
      // Each acquire in an event-loop turn of its own, as requests arrive.
      await nextTurn();
      const arrival = arrivals++;
      waiting.add(arrival);
      const roll = random();
      const options: { timeoutMs?: number; signal?: AbortSignal } = {};
      if (roll < 0.05) options.timeoutMs = 1;
      else if (roll < 0.1) {
        const controller = new AbortController();
        options.signal = controller.signal;
        const after = Math.floor(random() * 3);
        void (async () => {
          for (let i = 0; i < after; i++) await nextTurn();
          controller.abort(new Error('client cancelled'));
        })();
      }
      const viaUse = random() < 0.3;
      try {
        if (viaUse) {
          await pool.use(async (resource) => {
            lent(arrival, resource);
            await hold();
            if (random() < 0.03) resource.healthy = false;
            inUse.delete(resource);
            if (random() < 0.1) {
              report.workFailures++;
              throw new Error('tool failed');
            }
          }, options);
        } else {
          const resource = await pool.acquire(options);
          lent(arrival, resource);
          await hold();
          // Broke in use and noticed (released as broken), or broke unnoticed (validate must catch it).
          const broken = random() < 0.05;
          if (!broken && random() < 0.03) resource.healthy = false;
          inUse.delete(resource);
          pool.release(resource, broken);
        }
      } catch (error) {
        if ((error as Error)?.message === 'tool failed') continue;
        waiting.delete(arrival);
        refused(error);
      }
    }
  };

  const all = Promise.all(Array.from({ length: callers }, caller));
  const budget = new AbortController();
  await Promise.race([all, sleep(budgetMs, undefined, { signal: budget.signal }).catch(() => {})]);
  budget.abort();
  report.unanswered = waiting.size;
  // Let releases that validate asynchronously finish.
  for (let i = 0; i < 5; i++) await nextTurn();
  report.lost = Math.max(0, resources.alive() - pool.stats.idle - inUse.size);
  await pool.close();
  for (let i = 0; i < 5; i++) await nextTurn();
  report.leakedAfterClose = resources.alive();
  report.created = resources.created.size;
  return report;
}

/** Let the event loop go round n times. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}
