// How many bytes a cached value holds, so the cache can stay within a byte
// budget. Read lesson.mdx beside this file, then run: npm run chapter 4

/** One pointer-sized slot per field, as Rust's size_of_val would count it. */
const SLOT_BYTES = 8;

// #region estimate-bytes
/** Estimate the memory a value takes. */
export function estimateBytes(value: unknown): number {
  if (typeof value === 'object' && value !== null) {
    // The size of the value itself: one slot for each of its fields.
    return Object.keys(value).length * SLOT_BYTES;
  }
  return SLOT_BYTES;
}
// #endregion estimate-bytes
