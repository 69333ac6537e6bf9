// node --expose-gc --import tsx bench/09-profiling-and-debugging/find-the-leak.ts [--solution]
//
// Finds the profiler's leak the way you would in production: a heap snapshot,
// 100 000 spans, another snapshot, and the difference between the two, with
// what holds the new objects. Uses your chapters/ copy unless --solution.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { diffHeaps, type HeapSnapshot } from '../../workbook/profiles/heap-diff.ts';
import { root, workbookDir } from '../../workbook/paths.ts';

type ProfilerModule = typeof import('../../solutions/09-profiling-and-debugging/profiler.ts');

const SPANS = 100_000;
const tree = process.argv.includes('--solution') ? 'solutions' : 'chapters';
if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc, so the snapshots hold only what is still reachable');
  process.exit(2);
}
const gc = globalThis.gc;
const { Profiler } = (await import(pathToFileURL(path.join(root, tree, '09-profiling-and-debugging', 'profiler.ts')).href)) as ProfilerModule;

const dir = path.join(workbookDir, 'profiles');
mkdirSync(dir, { recursive: true });
const profiler = new Profiler();
const run = async (spans: number) => {
  for (let i = 0; i < spans; i++) {
    const returned: unknown = profiler.span(`stage-${i % 20}`, () => undefined);
    if (returned instanceof Promise) await returned;
  }
  await new Promise((resolve) => setTimeout(resolve, 10)); // let deferred work land
  gc();
  gc();
};

await run(1_000); // warm: whatever the profiler allocates once is in both snapshots
const before = writeHeapSnapshot(path.join(dir, `before-${tree}.heapsnapshot`));
await run(SPANS);
const after = writeHeapSnapshot(path.join(dir, `after-${tree}.heapsnapshot`));

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
const growth = diffHeaps(read(before), read(after), 8);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
console.log(`Heap growth over ${SPANS.toLocaleString('en-US')} spans (${tree}/09-profiling-and-debugging/profiler.ts):\n`);
for (const g of growth) {
  console.log(`  ${mb(g.selfBytes).padStart(9)}  ${String(g.count).padStart(8)} × ${g.name}${g.heldBy ? `   held by ${g.heldBy}` : ''}`);
}
console.log(`\nSnapshots: ${path.relative(process.cwd(), before)}, ${path.relative(process.cwd(), after)}`);
console.log('Open both in Chrome DevTools (Memory tab, Load) and choose Comparison to browse the same diff.');
