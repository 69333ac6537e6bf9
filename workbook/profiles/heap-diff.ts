// Two V8 heap snapshots (.heapsnapshot, from v8.writeHeapSnapshot(),
// --heapsnapshot-signal or DevTools) compared the way DevTools' Comparison
// view does: objects grouped by constructor, what grew between the two, and
// what holds the new objects. Pure functions over the parsed JSON.

export interface HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapGroup {
  /** Constructor name for objects, "(string)", "(closure)", "(array)"… for the rest. */
  name: string;
  count: number;
  selfBytes: number;
}

export interface HeapGrowth extends HeapGroup {
  /** What most of the new objects of this group hang from: "Array[] ← #finished in Profiler". */
  heldBy?: string;
}

interface Indexed {
  groups: Map<string, HeapGroup>;
  /** Node id → its group, for every node. */
  groupOfId: Map<number, string>;
  reader: NodeReader;
}

interface NodeReader {
  count: number;
  id(node: number): number;
  name(node: number): string;
  group(node: number): string;
  /** Retainers of a node: [retainer node, edge name]. */
  retainers(node: number): Array<[number, string]>;
}

/** Objects per group in one snapshot. */
export function summarizeHeap(snapshot: HeapSnapshot): HeapGroup[] {
  return [...index(snapshot).groups.values()].sort((a, b) => b.selfBytes - a.selfBytes);
}

/**
 * What grew from `before` to `after`: groups by bytes added, with, for each,
 * the most common holder of the objects that are new in `after` (node ids are
 * stable between snapshots of the same process).
 */
export function diffHeaps(before: HeapSnapshot, after: HeapSnapshot, top = 10): HeapGrowth[] {
  const old = index(before);
  const now = index(after);
  const growth: HeapGrowth[] = [];
  for (const [name, group] of now.groups) {
    const was = old.groups.get(name);
    const count = group.count - (was?.count ?? 0);
    const selfBytes = group.selfBytes - (was?.selfBytes ?? 0);
    if (selfBytes > 0) growth.push({ name, count, selfBytes });
  }
  growth.sort((a, b) => b.selfBytes - a.selfBytes);
  const shown = growth.slice(0, top);
  const wanted = new Set(shown.map((g) => g.name));
  const holders = new Map<string, Map<string, number>>();
  const { reader } = now;
  for (let node = 0; node < reader.count; node++) {
    const group = reader.group(node);
    if (!wanted.has(group) || old.groupOfId.has(reader.id(node))) continue;
    const tally = holders.get(group) ?? new Map<string, number>();
    holders.set(group, tally);
    const holder = describeHolder(reader, node);
    tally.set(holder, (tally.get(holder) ?? 0) + 1);
  }
  for (const g of shown) {
    const tally = [...(holders.get(g.name) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    if (tally[0]) g.heldBy = tally[0][0];
  }
  return shown;
}

/** "Array ← #finished in Profiler": the first strong retainer, and the one holding that. */
function describeHolder(reader: NodeReader, node: number): string {
  const chain: string[] = [];
  let current = node;
  for (let depth = 0; depth < 2; depth++) {
    const retainer = reader.retainers(current).find(([, edge]) => edge !== 'weak');
    if (!retainer) break;
    const [holder, edge] = retainer;
    chain.push(depth === 0 ? `${edge} of ${reader.name(holder)}` : `${edge} in ${reader.name(holder)}`);
    current = holder;
  }
  return chain.join(' ← ') || '(no retainer)';
}

function index(snapshot: HeapSnapshot): Indexed {
  const { meta } = snapshot.snapshot;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const typeAt = meta.node_fields.indexOf('type');
  const nameAt = meta.node_fields.indexOf('name');
  const idAt = meta.node_fields.indexOf('id');
  const sizeAt = meta.node_fields.indexOf('self_size');
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const edgeToAt = meta.edge_fields.indexOf('to_node');
  const { nodes, edges, strings } = snapshot;
  const count = nodes.length / nodeFields;

  const typeOf = (node: number) => nodeTypes[nodes[node * nodeFields + typeAt]!] ?? 'unknown';
  const nameOf = (node: number) => strings[nodes[node * nodeFields + nameAt]!] ?? '';
  const group = (node: number): string => {
    const type = typeOf(node);
    if (type === 'object') return nameOf(node) || 'Object';
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(string)';
    if (type === 'number') return '(heap number)';
    return `(${type})`;
  };

  // Edges are stored in node order: node n's edges follow those of nodes 0…n-1.
  const firstEdge = new Uint32Array(count + 1);
  for (let node = 0; node < count; node++) firstEdge[node + 1] = firstEdge[node]! + nodes[node * nodeFields + edgeCountAt]! * edgeFields;
  let retainersOf: Map<number, Array<[number, string]>> | undefined;
  const retainers = (target: number) => {
    if (!retainersOf) {
      retainersOf = new Map();
      for (let node = 0; node < count; node++) {
        for (let e = firstEdge[node]!; e < firstEdge[node + 1]!; e += edgeFields) {
          const to = edges[e + edgeToAt]! / nodeFields;
          const type = edgeTypes[edges[e + edgeTypeAt]!] ?? '';
          const raw = edges[e + edgeNameAt]!;
          const name = type === 'element' || type === 'hidden' ? `[${raw}]` : type === 'weak' ? 'weak' : (strings[raw] ?? String(raw));
          const list = retainersOf.get(to) ?? [];
          if (list.length < 4) list.push([node, type === 'element' ? '[]' : name]);
          retainersOf.set(to, list);
        }
      }
    }
    return retainersOf.get(target) ?? [];
  };

  const groups = new Map<string, HeapGroup>();
  const groupOfId = new Map<number, string>();
  for (let node = 0; node < count; node++) {
    const name = group(node);
    const entry = groups.get(name) ?? { name, count: 0, selfBytes: 0 };
    entry.count++;
    entry.selfBytes += nodes[node * nodeFields + sizeAt]!;
    groups.set(name, entry);
    groupOfId.set(nodes[node * nodeFields + idAt]!, name);
  }
  return {
    groups,
    groupOfId,
    reader: {
      count,
      id: (node) => nodes[node * nodeFields + idAt]!,
      name: (node) => group(node),
      group,
      retainers,
    },
  };
}
