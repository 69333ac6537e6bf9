// How many bytes a cached value really holds, walked with an explicit stack
// instead of recursion, so a deeply nested value cannot overflow the call stack.

const OBJECT_BYTES = 24;
const SLOT_BYTES = 8;
const STRING_BYTES = 16;

export function estimateBytes(value: unknown): number {
  const seen = new WeakSet<object>();
  const stack: unknown[] = [value];
  let total = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      // One byte a character when every character fits in Latin-1, two otherwise.
      total += STRING_BYTES + item.length * (/[^\u0000-\u00ff]/.test(item) ? 2 : 1);
    } else if (typeof item === 'number' || typeof item === 'bigint') {
      total += SLOT_BYTES;
    } else if (typeof item === 'object' && item !== null && !seen.has(item)) {
      seen.add(item);
      if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) {
        total += OBJECT_BYTES + item.byteLength;
        continue;
      }
      const children = Array.isArray(item) ? item : Object.values(item);
      total += OBJECT_BYTES + children.length * SLOT_BYTES;
      for (const child of children) stack.push(child);
    }
  }
  return total;
}
