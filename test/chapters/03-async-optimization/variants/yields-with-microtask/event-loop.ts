// MinHash signatures for every document, the CPU-heavy job behind a "find
// near-duplicates" tool, computed without freezing the server: requests that
// arrive meanwhile (status, health checks) are still answered.

/** Numbers per signature: two documents agree on about (similarity × 16) of them. */
export const SIGNATURE_SIZE = 16;

/** Longest stretch of work between two visits to the event loop. Well under the guide's 10 ms status target. */
export const SLICE_MS = 2;

// #region sign-documents
export async function signDocuments(documents: readonly string[]): Promise<Uint32Array> {
  const signatures = new Uint32Array(documents.length * SIGNATURE_SIZE);
  let sliceStart = performance.now();
  for (let i = 0; i < documents.length; i++) {
    signInto(signatures, i * SIGNATURE_SIZE, documents[i]!);
    // Reading the clock costs little next to a document, but checking every
    // 16 keeps it out of the profile.
    if (i % 16 === 15 && performance.now() - sliceStart > SLICE_MS) {
      // Yield: an await gives other code a turn.
      await Promise.resolve();
      sliceStart = performance.now();
    }
  }
  return signatures;
}
// #endregion sign-documents

/** The signature of one document, on its own (the same numbers signDocuments writes for it). */
export function signature(text: string): Uint32Array {
  const out = new Uint32Array(SIGNATURE_SIZE);
  signInto(out, 0, text);
  return out;
}

const SHINGLE = 5;
const SEEDS = Uint32Array.from({ length: SIGNATURE_SIZE }, (_, k) => Math.imul(k + 1, 0x9e3779b1) >>> 0);

/** For each seed, the smallest seeded hash over the text's 5-character shingles. */
function signInto(out: Uint32Array, offset: number, text: string): void {
  out.fill(0xffffffff, offset, offset + SIGNATURE_SIZE);
  for (let start = 0; start + SHINGLE <= text.length; start++) {
    let shingle = 0x811c9dc5; // FNV-1a over the shingle's characters
    for (let c = start; c < start + SHINGLE; c++) shingle = Math.imul(shingle ^ text.charCodeAt(c), 0x01000193);
    for (let k = 0; k < SIGNATURE_SIZE; k++) {
      const hash = Math.imul(shingle ^ SEEDS[k]!, 0x85ebca6b) >>> 0;
      if (hash < out[offset + k]!) out[offset + k] = hash;
    }
  }
}
