// Realistic things for a server to hold in memory: tool results carrying text
// that really occupies its bytes, and a mix of response sizes.
import { randomBytes } from 'node:crypto';
import { seededRandom } from '../../support/random.ts';

export interface ToolResult {
  content: Array<{ type: 'text'; text: string }>;
}

// Hex text to cut strings from. Each cut is a fresh, flat copy, so every
// result owns its characters (a concatenation could share one long string).
const source = Buffer.from(randomBytes(512 * 1024).toString('hex'), 'latin1');

/** A string of exactly `length` ASCII characters that no other string shares. */
export function uniqueText(length: number, seed: number): string {
  const start = (seed * 7919) % (source.length - length);
  return source.toString('latin1', start, start + length);
}

export function toolResult(text: string): ToolResult {
  return { content: [{ type: 'text', text }] };
}

/**
 * Response sizes as a JSON API sees them: mostly small, some medium, a few
 * large. 60 % up to 1 KiB, 25 % up to 4 KiB, 10 % up to 16 KiB, 4 % up to
 * 64 KiB, 1 % up to 256 KiB.
 */
export function responseSizes(count: number, seed = 7): number[] {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => Math.floor(low + random() * (high - low));
  return Array.from({ length: count }, () => {
    const roll = random();
    if (roll < 0.6) return between(100, 1_024);
    if (roll < 0.85) return between(1_025, 4_096);
    if (roll < 0.95) return between(4_097, 16_384);
    if (roll < 0.99) return between(16_385, 65_536);
    return between(65_537, 262_144);
  });
}

const TOOLS = ['search', 'fetch_page', 'list_files', 'read_file', 'status'];

/** The i-th record of a request log: realistic values, reproducible from i. */
export function requestRecord(i: number) {
  return {
    at: 1_764_000_000_000 + i * 7,
    tool: TOOLS[i % TOOLS.length]!,
    status: [200, 200, 200, 404, 500][i % 5]!,
    durationMs: (i % 4_000) / 8,
    responseBytes: (i * 131) % 1_000_000,
  };
}
