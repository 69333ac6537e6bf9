// Seeded JSON answers of an exact size, shaped like a search tool's results:
// repeated keys and a limited vocabulary, so they compress the way real JSON does.
import { seededRandom } from '../../support/random.ts';

const VOCABULARY = (() => {
  const random = seededRandom(1_707);
  return Array.from({ length: 500 }, (_, i) =>
    Math.floor(random() * 36 ** 8)
      .toString(36)
      .padStart(8, 'q')
      .slice(0, 3 + (i % 6)),
  );
})();

/** Valid JSON of exactly `bytes` bytes (at least 40), the same for the same seed. */
export function jsonDocument(bytes: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const word = () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]!;
  const frame = (results: string, note: string) => `{"results":[${results}],"note":"${note}"}`;
  const results: string[] = [];
  let used = frame('', '').length;
  for (;;) {
    const result = JSON.stringify({
      id: `doc-${Math.floor(random() * 1e6)}`,
      title: Array.from({ length: 4 }, word).join(' '),
      score: Math.round(random() * 1_000) / 1_000,
      tags: [word(), word()],
      snippet: Array.from({ length: 12 }, word).join(' '),
    });
    const cost = result.length + (results.length > 0 ? 1 : 0);
    if (used + cost > bytes) break;
    results.push(result);
    used += cost;
  }
  let note = '';
  while (note.length < bytes - used) note += `${word()} `;
  return Buffer.from(frame(results.join(','), note.slice(0, Math.max(0, bytes - used))));
}

/**
 * Answer sizes as a JSON API sees them: mostly small, some medium, a few
 * large. 60 % up to 1 KiB, 25 % up to 4 KiB, 10 % up to 16 KiB, 4 % up to
 * 64 KiB, 1 % up to 256 KiB.
 */
export function answerSizes(count: number, seed: number): number[] {
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
