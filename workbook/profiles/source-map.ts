// Just enough of Source Map v3 to put a CPU profile's positions back on the
// TypeScript a person wrote: tsx hands V8 whitespace-minified JavaScript with
// an inline map, so V8's own line numbers all read "line 1".

export interface SourceMapV3 {
  version: number;
  sources: string[];
  mappings: string;
}

/** [generated column, source index, original line, original column], per generated line. */
export type Segments = Array<Array<[number, number, number, number]>>;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decode the "mappings" string: VLQ fields, relative to the previous segment. */
export function decodeMappings(mappings: string): Segments {
  const lines: Segments = [];
  let source = 0;
  let line = 0;
  let column = 0;
  for (const text of mappings.split(';')) {
    const segments: Segments[number] = [];
    let generated = 0;
    for (const segment of text.split(',')) {
      if (!segment) continue;
      const fields = decodeVlq(segment);
      generated += fields[0] ?? 0;
      if (fields.length >= 4) {
        source += fields[1]!;
        line += fields[2]!;
        column += fields[3]!;
        segments.push([generated, source, line, column]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not base64 VLQ: ${text}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** The original (0-based) line and column of a generated position, if the map covers it. */
export function originalPosition(segments: Segments, line: number, column: number): { source: number; line: number; column: number } | undefined {
  const onLine = segments[line];
  if (!onLine?.length) return undefined;
  // The last segment starting at or before the column.
  let low = 0;
  let high = onLine.length - 1;
  if (onLine[0]![0] > column) return undefined;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (onLine[mid]![0] <= column) low = mid;
    else high = mid - 1;
  }
  const [, source, original, originalColumn] = onLine[low]!;
  return { source, line: original, column: originalColumn };
}

/** The map a script carries inline (`//# sourceMappingURL=data:application/json;base64,…`), if any. */
export function inlineSourceMap(scriptSource: string): SourceMapV3 | undefined {
  const match = /\/\/# sourceMappingURL=data:application\/json(?:;charset=[^;,]+)?;base64,([A-Za-z0-9+/=]+)\s*$/.exec(scriptSource);
  if (!match) return undefined;
  try {
    return JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')) as SourceMapV3;
  } catch {
    return undefined;
  }
}
