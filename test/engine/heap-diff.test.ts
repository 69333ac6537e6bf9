// The heap snapshot comparison chapter 9's leak hunt uses, on hand-made snapshots.
import { expect, test } from 'vitest';
import { diffHeaps, summarizeHeap, type HeapSnapshot } from '../../workbook/profiles/heap-diff.ts';

const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

interface Node {
  type: string;
  name: string;
  id: number;
  size: number;
  edges: Array<[type: string, name: string | number, to: number]>;
}

/** A snapshot in V8's flat format: nodes and edges as number arrays, names in `strings`. */
function snapshot(nodes: Node[]): HeapSnapshot {
  const strings: string[] = [];
  const str = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const position = new Map(nodes.map((n, i) => [n.id, i * 5]));
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [NODE_TYPES],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [EDGE_TYPES],
      },
    },
    nodes: nodes.flatMap((n) => [NODE_TYPES.indexOf(n.type), str(n.name), n.id, n.size, n.edges.length]),
    edges: nodes.flatMap((n) =>
      n.edges.flatMap(([type, name, to]) => [EDGE_TYPES.indexOf(type), typeof name === 'number' ? name : str(name), position.get(to)!]),
    ),
    strings,
  };
}

const record = (id: number): Node => ({ type: 'object', name: 'Object', id, size: 40, edges: [] });
const heap = (records: number[]) =>
  snapshot([
    { type: 'synthetic', name: '(GC roots)', id: 1, size: 0, edges: [['element', 0, 3]] },
    { type: 'object', name: 'Profiler', id: 3, size: 32, edges: [['property', '#finished', 5], ['weak', 'cache', 7]] },
    { type: 'object', name: 'Array', id: 5, size: 16, edges: records.map((id, i) => ['element', i, id] as [string, number, number]) },
    { type: 'string', name: 'stage-1', id: 7, size: 24, edges: [] },
    ...records.map(record),
  ]);

test('summarizeHeap groups objects by constructor and the rest by kind', () => {
  const groups = summarizeHeap(heap([9, 11]));
  expect(groups.find((g) => g.name === 'Object')).toEqual({ name: 'Object', count: 2, selfBytes: 80 });
  expect(groups.find((g) => g.name === '(string)')?.count).toBe(1);
});

test('diffHeaps reports what grew and who holds the new objects', () => {
  const growth = diffHeaps(heap([9]), heap([9, 11, 13, 15]));
  expect(growth).toEqual([{ name: 'Object', count: 3, selfBytes: 120, heldBy: '[] of Array ← #finished in Profiler' }]);
});

test('nothing grew, nothing reported', () => {
  expect(diffHeaps(heap([9, 11]), heap([9, 11]))).toEqual([]);
});
