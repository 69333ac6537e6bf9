// The CPU-heavy part of a `find_duplicates` tool: MinHash signatures of a batch
// of documents, then every pair compared. Pure computation on plain data, so it
// can run on any thread. Its default export is what a worker runs per task.
// Nothing to fix here: read lesson.mdx, then cpu-pool.ts.

export interface DuplicateTask {
  documents: string[];
  /** Share of matching MinHash slots (≈ Jaccard similarity) that makes a pair near-duplicates. */
  threshold?: number;
  /** MinHash slots per document: more is more precise, and slower. */
  hashes?: number;
}

export interface DuplicateResult {
  /** Index pairs [i, j], i < j, whose estimated similarity is at least the threshold. */
  pairs: Array<[number, number]>;
  /** How many pairs were compared (n·(n−1)/2). */
  compared: number;
}

const SHINGLE_WORDS = 3;

/** FNV-1a over a string, as an unsigned 32-bit integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Hashes of every run of SHINGLE_WORDS words. */
function shingles(document: string): Uint32Array {
  const words = document.split(/\s+/).filter(Boolean);
  const count = Math.max(1, words.length - SHINGLE_WORDS + 1);
  const result = new Uint32Array(count);
  for (let i = 0; i < count; i++) result[i] = fnv1a(words.slice(i, i + SHINGLE_WORDS).join(' '));
  return result;
}

/** For each of `hashes` seeded hash functions, the smallest value over the shingles. */
function signature(document: string, hashes: number): Uint32Array {
  const result = new Uint32Array(hashes).fill(0xffffffff);
  for (const shingle of shingles(document)) {
    for (let k = 0; k < hashes; k++) {
      // A cheap seeded mix (xorshift-multiply) per slot.
      let h = (shingle ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      h = (h ^ (h >>> 16)) >>> 0;
      if (h < result[k]!) result[k] = h;
    }
  }
  return result;
}

export default function findDuplicates({ documents, threshold = 0.8, hashes = 64 }: DuplicateTask): DuplicateResult {
  const signatures = documents.map((document) => signature(document, hashes));
  const pairs: Array<[number, number]> = [];
  const needed = Math.ceil(threshold * hashes);
  for (let i = 0; i < signatures.length; i++) {
    const a = signatures[i]!;
    for (let j = i + 1; j < signatures.length; j++) {
      const b = signatures[j]!;
      let same = 0;
      for (let k = 0; k < hashes; k++) if (a[k] === b[k]) same++;
      if (same >= needed) pairs.push([i, j]);
    }
  }
  return { pairs, compared: (documents.length * (documents.length - 1)) / 2 };
}
