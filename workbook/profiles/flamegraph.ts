// A V8 CPU profile (.cpuprofile, what `node --cpu-prof`, Chrome DevTools and
// inspector's Profiler.stop produce) as collapsed stacks, a list of the
// hottest functions, and a flame graph drawn as an SVG string. Pure functions:
// no files, no external service, so the CLI, the benches and the site can all
// call them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// #region cpuprofile
/** The parts of the .cpuprofile format read here (Chrome DevTools protocol, Profiler.Profile). */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** Microseconds. */
  startTime: number;
  endTime: number;
  /** The node id on top of the stack at each sample. */
  samples?: number[];
  /** Microseconds since the previous sample. */
  timeDeltas?: number[];
}

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string | number };
  hitCount?: number;
  children?: number[];
}
// #endregion cpuprofile

/** One function in a stack, as a person reads it. */
export interface Frame {
  /** Function name, or "(anonymous)". V8's own entries keep their names: "(garbage collector)", "(program)"… */
  name: string;
  /** Path relative to `root` when the script is under it, else the URL as V8 gave it ("node:internal/…"). */
  file: string;
  /** 1-based line, 0 when unknown (then labels leave it out). */
  line: number;
}

export interface ProfileOptions {
  /** Paths under this folder are shown relative to it. */
  root?: string;
}

/** A whole stack, root first, and how many samples were taken with exactly that stack. */
export interface CollapsedStack {
  frames: Frame[];
  samples: number;
}

export function frameLabel(frame: Frame): string {
  if (!frame.file) return frame.name;
  return frame.line > 0 ? `${frame.name} ${frame.file}:${frame.line}` : `${frame.name} ${frame.file}`;
}

/** Samples per distinct stack. `(root)` itself is left out; `(idle)` too, as it is not work. */
export function collapseProfile(profile: CpuProfile, options: ProfileOptions = {}): CollapsedStack[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const counts = countSamples(profile);
  const stacks: CollapsedStack[] = [];
  const cache = new Map<number, Frame[]>();
  const stackOf = (id: number): Frame[] => {
    const known = cache.get(id);
    if (known) return known;
    const node = byId.get(id);
    const parent = parentOf.get(id);
    if (!node || parent === undefined) return []; // (root)
    const frames = [...stackOf(parent), toFrame(node, options)];
    cache.set(id, frames);
    return frames;
  };
  for (const [id, samples] of counts) {
    const frames = stackOf(id);
    if (frames.length === 0 || (frames.length === 1 && frames[0]!.name === '(idle)')) continue;
    stacks.push({ frames, samples });
  }
  return stacks;
}

/**
 * Cut each stack so it starts at its first frame that `where` picks (e.g. the
 * first frame of the learner's code), dropping the harness below it. Stacks
 * with no such frame (GC, idle time, the harness itself) are kept whole.
 */
export function focusStacks(stacks: CollapsedStack[], where: (frame: Frame) => boolean): CollapsedStack[] {
  const merged = new Map<string, CollapsedStack>();
  for (const stack of stacks) {
    const first = stack.frames.findIndex(where);
    const frames = first > 0 ? stack.frames.slice(first) : stack.frames;
    const key = frames.map(frameLabel).join(';');
    const known = merged.get(key);
    if (known) known.samples += stack.samples;
    else merged.set(key, { frames, samples: stack.samples });
  }
  return [...merged.values()];
}

/** Collapsed stacks in Brendan Gregg's text format ("a;b;c 42" per line), for flamegraph.pl or speedscope. */
export function collapsedText(stacks: CollapsedStack[]): string {
  return stacks.map((s) => `${s.frames.map((f) => frameLabel(f).replaceAll(';', ':')).join(';')} ${s.samples}`).join('\n');
}

export interface HotFunction {
  frame: Frame;
  /** Samples with this function on top of the stack. */
  selfSamples: number;
  /** Samples with this function anywhere in the stack (counted once per sample, so recursion does not inflate it). */
  totalSamples: number;
  selfShare: number;
  totalShare: number;
}

/** Functions by self time, hottest first. `where` keeps only some (e.g. the learner's files). */
export function hotFunctions(stacks: CollapsedStack[], where: (frame: Frame) => boolean = () => true): HotFunction[] {
  const all = stacks.reduce((sum, s) => sum + s.samples, 0);
  const found = new Map<string, HotFunction>();
  const entry = (frame: Frame) => {
    const key = frameLabel(frame);
    let hot = found.get(key);
    if (!hot) {
      hot = { frame, selfSamples: 0, totalSamples: 0, selfShare: 0, totalShare: 0 };
      found.set(key, hot);
    }
    return hot;
  };
  for (const stack of stacks) {
    const top = stack.frames[stack.frames.length - 1]!;
    if (where(top)) entry(top).selfSamples += stack.samples;
    for (const key of new Set(stack.frames.filter(where).map(frameLabel))) {
      entry(stack.frames.find((f) => frameLabel(f) === key)!).totalSamples += stack.samples;
    }
  }
  const list = [...found.values()];
  for (const hot of list) {
    hot.selfShare = all ? hot.selfSamples / all : 0;
    hot.totalShare = all ? hot.totalSamples / all : 0;
  }
  return list.sort((a, b) => b.selfSamples - a.selfSamples || b.totalSamples - a.totalSamples);
}

export interface FlameGraphOptions {
  title?: string;
  width?: number;
  /** Frames drawn in the "yours" colours, e.g. those from the chapter's files. */
  highlight?: (frame: Frame) => boolean;
  /** Frames narrower than this many pixels are left out (their time still counts in their parent). */
  minWidthPx?: number;
}

interface FlameNode {
  frame: Frame;
  total: number;
  children: Map<string, FlameNode>;
}

const ROW = 17;
const FONT = 11;
const CHAR_PX = 6.4;
const TOP = 40;
const esc = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A flame graph: the root at the bottom, callees stacked above their callers,
 * each frame as wide as the share of samples it was on the stack for. Wide
 * frames at the top of a tower are where the CPU time went. Colours are
 * inline, so the SVG stands alone (open the file in a browser) and embeds
 * as-is in a page; hover a frame for its exact share.
 */
export function renderFlameGraph(stacks: CollapsedStack[], options: FlameGraphOptions = {}): string {
  const width = options.width ?? 1000;
  const minWidth = options.minWidthPx ?? 0.6;
  const highlight = options.highlight ?? (() => false);
  const root: FlameNode = { frame: { name: 'all', file: '', line: 0 }, total: 0, children: new Map() };
  for (const stack of stacks) {
    root.total += stack.samples;
    let node = root;
    for (const frame of stack.frames) {
      const key = frameLabel(frame);
      let child = node.children.get(key);
      if (!child) {
        child = { frame, total: 0, children: new Map() };
        node.children.set(key, child);
      }
      child.total += stack.samples;
      node = child;
    }
  }
  const title = options.title ?? 'CPU profile';
  if (root.total === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60" viewBox="0 0 ${width} 60" font-family="system-ui, sans-serif" fill="#1a1a1a"><rect width="${width}" height="60" rx="6" fill="#ffffff"/><text x="8" y="24" font-size="14" font-weight="600">${esc(title)}</text><text x="8" y="46" font-size="${FONT}">no samples in this profile</text></svg>`;
  }

  const scale = width / root.total;
  const rects: Array<{ node: FlameNode; x: number; depth: number }> = [];
  let maxDepth = 0;
  const place = (node: FlameNode, x: number, depth: number) => {
    rects.push({ node, x, depth });
    maxDepth = Math.max(maxDepth, depth);
    let childX = x;
    // Widest first, so the eye finds the heavy towers on the left.
    for (const child of [...node.children.values()].sort((a, b) => b.total - a.total)) {
      if (child.total * scale >= minWidth) place(child, childX, depth + 1);
      childX += child.total * scale;
    }
  };
  place(root, 0, 0);

  const height = TOP + (maxDepth + 1) * ROW + 6;
  const body = rects.map(({ node, x, depth }) => {
    const w = node.total * scale;
    const y = height - 6 - (depth + 1) * ROW;
    const share = ((100 * node.total) / root.total).toFixed(1);
    const label = node === root ? `all (${root.total} samples)` : frameLabel(node.frame);
    const tip = `${label} — ${node.total} samples, ${share}%`;
    const fits = Math.floor((w - 6) / CHAR_PX);
    const shown = fits >= label.length ? label : fits >= 4 ? `${label.slice(0, fits - 1)}…` : '';
    const fill = node === root ? '#d9d9d9' : colour(node.frame, highlight(node.frame));
    return (
      `<g><title>${esc(tip)}</title>` +
      `<rect x="${x.toFixed(2)}" y="${y}" width="${Math.max(0.5, w - 0.5).toFixed(2)}" height="${ROW - 1}" rx="2" fill="${fill}"/>` +
      (shown ? `<text x="${(x + 3).toFixed(2)}" y="${y + ROW - 5}" font-size="${FONT}">${esc(shown)}</text>` : '') +
      `</g>`
    );
  });
  const legend = options.highlight
    ? `<rect x="${width - 250}" y="12" width="12" height="12" rx="2" fill="${colour({ name: 'x', file: '', line: 0 }, true)}"/><text x="${width - 232}" y="22" font-size="${FONT}">your code</text>` +
      `<rect x="${width - 160}" y="12" width="12" height="12" rx="2" fill="${colour({ name: 'x', file: '', line: 0 }, false)}"/><text x="${width - 142}" y="22" font-size="${FONT}">Node, V8, libraries</text>`
    : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" fill="#1a1a1a">` +
    // Its own light background: the frame colours and dark text stay readable on a dark page.
    `<rect width="${width}" height="${height}" rx="6" fill="#ffffff"/>` +
    `<text x="4" y="22" font-size="14" font-weight="600" font-family="system-ui, sans-serif">${esc(title)}</text>${legend}` +
    body.join('') +
    `</svg>`
  );
}

/** .cpuprofile JSON text to an SVG string, in one call. */
export function flameGraphFromProfile(profile: CpuProfile, options: FlameGraphOptions & ProfileOptions = {}): string {
  return renderFlameGraph(collapseProfile(profile, options), options);
}

function countSamples(profile: CpuProfile): Map<number, number> {
  const counts = new Map<number, number>();
  if (profile.samples?.length) {
    for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  } else {
    for (const node of profile.nodes) if (node.hitCount) counts.set(node.id, node.hitCount);
  }
  return counts;
}

function toFrame(node: CpuProfileNode, { root }: ProfileOptions): Frame {
  const { functionName, url, lineNumber } = node.callFrame;
  let file = url;
  if (url.startsWith('file://')) {
    const absolute = fileURLToPath(url);
    file = root && absolute.startsWith(root + path.sep) ? path.relative(root, absolute) : absolute;
  }
  return { name: functionName || (file ? '(anonymous)' : '(unknown)'), file, line: file ? lineNumber + 1 : 0 };
}

/** Warm colours for everything else, cool ones for highlighted frames; stable per function name. */
function colour(frame: Frame, mine: boolean): string {
  let hash = 0;
  for (let i = 0; i < frame.name.length; i++) hash = (hash * 31 + frame.name.charCodeAt(i)) >>> 0;
  const jitter = hash % 30;
  return mine ? `hsl(${190 + (jitter % 25)}, 60%, ${62 + (jitter % 10)}%)` : `hsl(${10 + jitter}, 85%, ${60 + (hash % 12)}%)`;
}
