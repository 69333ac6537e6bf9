// Seeded randomness, so a "random" workload is the same on every run.
import { engineSetting } from '../../workbook/paths.ts';

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

/**
 * The seed of this run: different every run, so code cannot be fitted to one
 * run's keys, ids or sizes; WORKBOOK_SEED=<n> replays a run. Checks that use
 * it name it in their messages. Read once, when this module loads (before any
 * learner file does).
 */
export const runSeed: number = (() => {
  // Read through the engine: it takes its WORKBOOK_* settings out of process.env before learner code loads.
  const pinned = Number.parseInt(engineSetting('WORKBOOK_SEED') ?? '', 10);
  return Number.isSafeInteger(pinned) ? pinned >>> 0 : Math.floor(Math.random() * 2 ** 32);
})();

/** A generator for one scenario of this run: `salt` keeps scenarios independent of each other. */
export function runRandom(salt: number): () => number {
  return seededRandom((runSeed ^ Math.imul(salt, 0x9e3779b1)) >>> 0);
}

/** An integer in [low, high]. */
export function randomInt(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** `length` lower-case letters and digits, starting with a letter: safe in keys, names and SQL. */
export function randomToken(random: () => number, length = 8): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const alphabet = letters + '0123456789';
  let token = letters[Math.floor(random() * letters.length)]!;
  while (token.length < length) token += alphabet[Math.floor(random() * alphabet.length)]!;
  return token;
}

/** A copy of `items` in random order (Fisher–Yates). */
export function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

// ── Inputs a solution cannot anticipate ─────────────────────────────────────
// Checks and benches draw their queries, ids, delays and sizes from runSeed
// (above), so code keyed to the strings a check happens to use fails.

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ra', 'to', 'vi', 'ze', 'qu', 'ba', 'do', 'fe', 'gi', 'hu', 'jo', 'pa', 'ry', 'wi', 'xo'];

export interface Inputs {
  readonly seed: number;
  /** A float in [0, 1). */
  random(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
  /** A made-up word of 2–4 syllables. */
  word(): string;
  /** `count` different made-up phrases (1–3 words and a number), e.g. "kalo mizera 417". */
  distinctPhrases(count: number): string[];
  /** `count` different opaque ids, e.g. "rec-8f3a2c". */
  distinctIds(count: number): string[];
  /** A string of 0–6 whitespace characters (spaces, tabs, newlines). */
  blank(): string;
}

/** A seeded source of test inputs; new every run unless a seed is given. */
export function inputs(seed = runSeed): Inputs {
  const random = seededRandom(seed);
  const int = (min: number, max: number) => randomInt(random, min, max);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const word = () => Array.from({ length: int(2, 4) }, () => pick(SYLLABLES)).join('');
  const distinct = (count: number, make: () => string): string[] => {
    const seen = new Set<string>();
    while (seen.size < count) seen.add(make());
    return [...seen];
  };
  return {
    seed,
    random,
    int,
    between: (min, max) => min + random() * (max - min),
    pick,
    shuffle: <T>(items: readonly T[]): T[] => shuffled(random, items),
    word,
    distinctPhrases: (count) => distinct(count, () => [...Array.from({ length: int(1, 3) }, word), String(int(0, 9_999))].join(' ')),
    distinctIds: (count) => distinct(count, () => `${word().slice(0, 3)}-${int(0, 0xffffff).toString(16).padStart(6, '0')}`),
    blank: () => Array.from({ length: int(0, 6) }, () => pick([' ', ' ', '\t', '\n', '\r\n'])).join(''),
  };
}
