// A line diff of the starter against the solution, for the diff view a learner
// opens on purpose. Longest common subsequence: files here are short.
export type DiffLine = { kind: 'same' | 'removed' | 'added'; text: string; old?: number; new?: number };

const maxCells = 4_000_000; // about 2000 × 2000 lines; beyond that, show both files whole

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > maxCells) {
    return [
      ...a.map((text, i) => ({ kind: 'removed' as const, text, old: i + 1 })),
      ...b.map((text, i) => ({ kind: 'added' as const, text, new: i + 1 })),
    ];
  }
  // lcs[i][j] = length of the LCS of a[i..] and b[j..], one flat array.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i]!, old: i + 1, new: j + 1 });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      lines.push({ kind: 'removed', text: a[i]!, old: i + 1 });
      i++;
    } else {
      lines.push({ kind: 'added', text: b[j]!, new: j + 1 });
      j++;
    }
  }
  for (; i < a.length; i++) lines.push({ kind: 'removed', text: a[i]!, old: i + 1 });
  for (; j < b.length; j++) lines.push({ kind: 'added', text: b[j]!, new: j + 1 });
  return lines;
}

/** Collapse long runs of unchanged lines to `context` lines around each change. */
export function withContext(lines: DiffLine[], context = 3): Array<DiffLine | { kind: 'skip'; count: number }> {
  const near = lines.map(() => false);
  lines.forEach((line, index) => {
    if (line.kind === 'same') return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++) near[k] = true;
  });
  const out: Array<DiffLine | { kind: 'skip'; count: number }> = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (near[index]) {
      if (skipped) out.push({ kind: 'skip', count: skipped });
      skipped = 0;
      out.push(line);
    } else skipped++;
  });
  if (skipped) out.push({ kind: 'skip', count: skipped });
  return out;
}
