// Seeded randomness, so a "random" workload is the same on every run.

/** mulberry32: a small, fast PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Latencies shaped like a cached tool's: 90 % hits around 2–8 ms and 10 %
 * misses around 100–300 ms. Two humps, so no mean-and-deviation shortcut fits.
 */
export function bimodalLatencies(count: number, seed = 42): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => (random() < 0.9 ? 2 + random() * 6 : 100 + random() * 200));
}
