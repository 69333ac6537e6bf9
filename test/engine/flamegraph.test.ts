// The profile tools behind chapter 9's flame graph: .cpuprofile → collapsed
// stacks → hottest functions → SVG, and source maps back to TypeScript lines.
import { transformSync } from 'esbuild';
import { expect, test } from 'vitest';
import {
  collapseProfile,
  collapsedText,
  focusStacks,
  frameLabel,
  hotFunctions,
  renderFlameGraph,
  type CpuProfile,
} from '../../workbook/profiles/flamegraph.ts';
import { decodeMappings, inlineSourceMap, originalPosition } from '../../workbook/profiles/source-map.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '1' });

/** root → harness → search → idf → includes; search → sort; plus GC and idle samples. */
const profile: CpuProfile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 7, 8] },
    { id: 2, callFrame: frame('run', 'file:///repo/bench/measure.ts', 9), children: [3] },
    { id: 3, callFrame: frame('search', 'file:///repo/chapters/x/search-tool.ts', 58), children: [4, 6] },
    { id: 4, callFrame: frame('inverseDocumentFrequency', 'file:///repo/chapters/x/search-tool.ts', 46), children: [5] },
    { id: 5, callFrame: frame('<includes>') },
    { id: 6, callFrame: frame('sort') },
    { id: 7, callFrame: frame('(garbage collector)') },
    { id: 8, callFrame: frame('(idle)') },
  ],
  samples: [5, 5, 5, 5, 5, 4, 4, 3, 6, 7, 8, 8],
  timeDeltas: Array(12).fill(100),
};
const mine = (f: { file: string }) => f.file.startsWith('chapters/');

test('collapseProfile counts samples per stack, root first, paths relative to the root, idle left out', () => {
  const stacks = collapseProfile(profile, { root: '/repo' });
  const text = collapsedText(stacks).split('\n').sort();
  expect(text).toEqual([
    '(garbage collector) 1',
    'run bench/measure.ts:10;search chapters/x/search-tool.ts:59 1',
    'run bench/measure.ts:10;search chapters/x/search-tool.ts:59;inverseDocumentFrequency chapters/x/search-tool.ts:47 2',
    'run bench/measure.ts:10;search chapters/x/search-tool.ts:59;inverseDocumentFrequency chapters/x/search-tool.ts:47;<includes> 5',
    'run bench/measure.ts:10;search chapters/x/search-tool.ts:59;sort 1',
  ]);
});

test('hotFunctions ranks by self time and counts total time once per sample', () => {
  const stacks = collapseProfile(profile, { root: '/repo' });
  const [first, second] = hotFunctions(stacks);
  expect(first!.frame.name).toBe('<includes>');
  expect(first!.selfSamples).toBe(5);
  expect(second!.frame.name).toBe('inverseDocumentFrequency');
  const ours = hotFunctions(stacks, mine);
  expect(ours.map((h) => [h.frame.name, h.selfSamples, h.totalSamples])).toEqual([
    ['inverseDocumentFrequency', 2, 7],
    ['search', 1, 9],
  ]);
  expect(ours[1]!.totalShare).toBeCloseTo(0.9, 5);
});

test('focusStacks starts stacks at the first frame picked and merges what becomes equal', () => {
  const stacks = focusStacks(collapseProfile(profile, { root: '/repo' }), mine);
  expect(stacks.every((s) => s.frames[0]!.name === 'search' || s.frames[0]!.name === '(garbage collector)')).toBe(true);
  expect(stacks.reduce((sum, s) => sum + s.samples, 0)).toBe(10);
});

test('renderFlameGraph draws one bar per frame, as wide as its share, with names escaped', () => {
  const stacks = collapseProfile(profile, { root: '/repo' });
  const svg = renderFlameGraph(stacks, { title: 'a <test>', width: 1000, highlight: mine });
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('a &lt;test&gt;');
  expect(svg).toContain('&lt;includes&gt;');
  expect(svg).not.toContain('<includes>');
  // includes: 5 of 10 samples → half the width.
  const bar = /<title>&lt;includes&gt; — 5 samples, 50.0%<\/title><rect x="[\d.]+" y="\d+" width="([\d.]+)"/.exec(svg);
  expect(Number(bar?.[1])).toBeCloseTo(499.5, 1);
  // The background, "all", run → search → idf → includes and sort, GC, and the two legend swatches.
  expect(svg.match(/<rect /g)!.length).toBe(1 + 1 + 5 + 1 + 2);
});

test('an empty profile still renders', () => {
  expect(renderFlameGraph([], { title: 'nothing' })).toContain('no samples');
});

test('frameLabel names V8 entries without a location', () => {
  expect(frameLabel({ name: '(program)', file: '', line: 0 })).toBe('(program)');
});

test('source maps put a minified position back on its TypeScript line', () => {
  const source = ['// a comment', 'export function first(a: number): number {', '  return a + 1;', '}', '', 'export function second(b: string): string {', '  return b.repeat(2);', '}', ''].join('\n');
  const { code } = transformSync(source, { loader: 'ts', format: 'esm', sourcemap: 'inline', minifyWhitespace: true, sourcefile: 'x.ts' });
  const map = inlineSourceMap(code);
  expect(map?.version).toBe(3);
  const segments = decodeMappings(map!.mappings);
  const generated = code.split('\n');
  const line = generated.findIndex((l) => l.includes('function second'));
  const column = generated[line]!.indexOf('function second');
  expect(originalPosition(segments, line, column)?.line, '0-based line of `function second`').toBe(5);
  expect(inlineSourceMap('var x = 1;')).toBeUndefined();
});
