// Memory readings that survive a noisy machine: always after several forced
// collections (checks and benches run with --expose-gc), always as the
// difference between two such readings, never one raw figure. Checks and
// benches both weigh with these.
import { setImmediate as nextTurn } from 'node:timers/promises';

export function collectGarbage(): void {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('memory readings need node --expose-gc (the engine passes it; run through npm run chapter or npm test)');
  }
  // Several passes: the first can leave work for weak references and finalizers.
  for (let i = 0; i < 3; i++) globalThis.gc();
}

// #region weigh
/** Collect, let finalizers and freed buffers settle for a turn, collect again. */
export async function settle(): Promise<void> {
  collectGarbage();
  await nextTurn();
  collectGarbage();
}

/** Live JavaScript heap plus memory outside it (Buffers, typed arrays). */
export function liveBytes(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/**
 * Build something and weigh what it keeps alive. The result holds what was
 * built, so the caller decides how long it lives.
 */
export async function weigh<T>(build: () => T | Promise<T>): Promise<{ held: T; bytes: number }> {
  await settle();
  const before = liveBytes();
  const held = await build();
  await settle();
  return { held, bytes: Math.max(0, liveBytes() - before) };
}
// #endregion weigh
