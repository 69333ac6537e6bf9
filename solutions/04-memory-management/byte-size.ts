// How many bytes a cached value really holds, so a byte budget means what it
// says. A shallow count (one slot per field) calls a 1 MB string 8 bytes.

/** What V8 spends on an object before its fields: map, properties, elements. */
const OBJECT_HEADER_BYTES = 24;
/** One pointer-sized slot per field or array element. */
const SLOT_BYTES = 8;
/** A string's header: map, hash and length. */
const STRING_HEADER_BYTES = 16;

// #region estimate-bytes
/**
 * Estimate the heap a value keeps alive: strings by their characters, buffers
 * by their bytes, objects and arrays by their slots plus everything they hold.
 */
export function estimateBytes(value: unknown, seen = new Set<object>()): number {
  switch (typeof value) {
    case 'string':
      // V8 stores Latin-1 text at one byte a character and anything else at two.
      return STRING_HEADER_BYTES + value.length * (isOneByte(value) ? 1 : 2);
    case 'number':
    case 'bigint':
      return SLOT_BYTES;
    case 'boolean':
    case 'undefined':
    case 'symbol':
    case 'function':
      return 0;
  }
  if (value === null || seen.has(value as object)) return 0;
  seen.add(value as object);
  if (ArrayBuffer.isView(value)) return OBJECT_HEADER_BYTES + value.byteLength;
  if (value instanceof ArrayBuffer) return OBJECT_HEADER_BYTES + value.byteLength;
  let total = OBJECT_HEADER_BYTES;
  if (Array.isArray(value)) {
    for (const item of value) total += SLOT_BYTES + estimateBytes(item, seen);
    return total;
  }
  // Property names are usually shared (interned), so only each field's slot counts.
  for (const field of Object.values(value as object)) total += SLOT_BYTES + estimateBytes(field, seen);
  return total;
}
// #endregion estimate-bytes

function isOneByte(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
