// A Zipf-like key mix: the key of rank r is read with probability ∝ 1 / r^s,
// so a few keys take most reads, as real traffic does. Seeded, so every run
// reads the same sequence.
import { seededRandom } from '../../support/random.ts';

/** `count` key indexes in [0, keys), index 0 the most popular. */
export function zipfSequence(keys: number, count: number, { exponent = 1.1, seed = 6 } = {}): number[] {
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let rank = 0; rank < keys; rank++) {
    total += 1 / (rank + 1) ** exponent;
    cumulative[rank] = total;
  }
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const target = random() * total;
    let low = 0;
    let high = keys - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  });
}
