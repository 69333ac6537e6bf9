// A seeded corpus for the search tool: pseudo-words with a Zipf frequency mix
// (a few words in most documents, most words in few), documents of 20–60
// tokens, and a corpus that counts how often the tool reads a document.
import { seededRandom } from '../../support/random.ts';

type SearchModule = typeof import('../../../solutions/09-profiling-and-debugging/search-tool.ts');
type Document = import('../../../solutions/09-profiling-and-debugging/search-tool.ts').Document;
type SearchHit = import('../../../solutions/09-profiling-and-debugging/search-tool.ts').SearchHit;
export type { Document, SearchHit, SearchModule };

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'pe', 'da', 'gu', 'ze', 'fi', 'ho', 'ba', 'xu'];

/** `count` distinct pseudo-words, the same on every run. */
export function vocabulary(count: number, seed = 90): string[] {
  const random = seededRandom(seed);
  const words = new Set<string>();
  while (words.size < count) {
    const length = 2 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < length; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

/** `count` word ranks in [0, words), rank r drawn with probability ∝ 1 / (r + 1). */
function zipfRanks(words: number, count: number, seed: number): number[] {
  const cumulative = new Float64Array(words);
  let total = 0;
  for (let rank = 0; rank < words; rank++) cumulative[rank] = total += 1 / (rank + 1);
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const target = random() * total;
    let low = 0;
    let high = words - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  });
}

export interface CorpusOptions {
  documents: number;
  words?: number;
  seed?: number;
}

export function sampleDocuments({ documents, words = 1_500, seed = 91 }: CorpusOptions): Document[] {
  const vocab = vocabulary(words, seed);
  const random = seededRandom(seed + 1);
  const lengths = Array.from({ length: documents }, () => 20 + Math.floor(random() * 41));
  const ranks = zipfRanks(words, lengths.reduce((a, b) => a + b, 0), seed + 2);
  let next = 0;
  return lengths.map((length, i) => {
    const tokens = ranks.slice(next, (next += length)).map((rank) => vocab[rank]!);
    return { id: `doc-${String(i).padStart(5, '0')}`, title: `${tokens.slice(0, 4).join(' ')} (${i})`, tokens };
  });
}

/**
 * Queries of 2–4 words of middling frequency (in a few percent to half of the
 * documents), written the way people type: mixed case, punctuation, now and
 * then a repeated word or one no document contains.
 */
export function sampleQueries(count: number, { words = 1_500, seed = 91 }: { words?: number; seed?: number } = {}): string[] {
  const vocab = vocabulary(words, seed);
  const random = seededRandom(seed + 3);
  return Array.from({ length: count }, (_, q) => {
    const terms = Array.from({ length: 2 + Math.floor(random() * 3) }, () => vocab[3 + Math.floor(random() * 200)]!);
    if (q % 3 === 1) terms.push(terms[0]!.toUpperCase());
    if (q % 4 === 2) terms.push('qqqzzz');
    return terms.map((t, i) => (i === 0 ? t[0]!.toUpperCase() + t.slice(1) : t)).join(q % 2 ? ', ' : ' ');
  });
}

export interface CountingCorpus {
  readonly size: number;
  document(index: number): Document;
  /** Documents read since the last reset. */
  readonly reads: number;
  reset(): void;
}

export function countingCorpus(documents: readonly Document[]): CountingCorpus {
  let reads = 0;
  return {
    size: documents.length,
    document(index) {
      reads++;
      const document = documents[index];
      if (!document) throw new RangeError(`no document at ${index} (the corpus has ${documents.length})`);
      return document;
    },
    get reads() {
      return reads;
    },
    reset() {
      reads = 0;
    },
  };
}

/** The ranking the tool's contract describes, computed the plain way, for comparison. */
export function expectedHits(documents: readonly Document[], query: string, limit = 10): SearchHit[] {
  const terms = [...new Set(query.toLowerCase().match(/[a-z0-9]+/g) ?? [])];
  const df = new Map(terms.map((t) => [t, documents.filter((d) => d.tokens.includes(t)).length]));
  const hits: SearchHit[] = [];
  for (const d of documents) {
    let score = 0;
    for (const t of terms) {
      const n = df.get(t)!;
      if (n === 0) continue;
      score += (d.tokens.filter((x) => x === t).length / d.tokens.length) * Math.log(1 + documents.length / n);
    }
    if (score > 0) hits.push({ id: d.id, title: d.title, score });
  }
  hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return hits.slice(0, limit);
}

/**
 * Why `actual` is not the expected ranking, or undefined when it is. Scores
 * may differ in the last bits (summing in another order is fine), so ties are
 * judged with a tolerance.
 */
export function rankingProblem(actual: readonly SearchHit[], expected: readonly SearchHit[]): string | undefined {
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  if (actual.length !== expected.length) return `${actual.length} hits, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const hit = actual[i]!;
    const want = expected[i]!;
    if (!close(hit.score, want.score)) {
      return `hit ${i + 1} has score ${hit.score} (${hit.id}); expected ${want.score} (${want.id})`;
    }
    if (hit.id !== want.id && !expected.some((e) => e.id === hit.id && close(e.score, want.score))) {
      return `hit ${i + 1} is ${hit.id}; expected ${want.id}`;
    }
    if (i > 0 && hit.score > actual[i - 1]!.score && !close(hit.score, actual[i - 1]!.score)) {
      return `hits are not in score order at ${i + 1}`;
    }
  }
  const titles = actual.every((hit) => hit.title === expected.find((e) => e.id === hit.id)?.title);
  return titles ? undefined : 'a hit carries another document’s title';
}
