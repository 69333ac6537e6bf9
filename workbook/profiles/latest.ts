// The flame graph a chapter page shows: drawn from the .cpuprofile the
// chapter's bench saved on the learner's last run (or the committed reference
// profile on a fresh clone), with the learner's code picked out. For the site,
// at build time or per request; no external service.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { baselineProfileFile, profileFile } from '../grading/results.ts';
import { root } from '../paths.ts';
import type { Tree } from '../types.ts';
import { collapseProfile, focusStacks, hotFunctions, renderFlameGraph, type CpuProfile, type Frame, type HotFunction } from './flamegraph.ts';

export interface ChapterFlameGraph {
  /** The SVG, ready to inline (`<Fragment set:html={svg} />`). */
  svg: string;
  /** Where it came from, relative to the repository root. */
  source: string;
  /** When that profile was written. */
  capturedAt: Date;
  /** The learner's (or the reference's) hottest functions by self time. */
  hottest: HotFunction[];
}

/**
 * The flame graph of `tree`'s last profiled run of chapter `slug`, or, for
 * 'solutions' with no run of its own, the committed reference profile.
 * Undefined when there is no profile (the chapter has none, or it never ran).
 */
export function chapterFlameGraph(slug: string, tree: Tree, options: { width?: number } = {}): ChapterFlameGraph | undefined {
  const candidates = tree === 'solutions' ? [profileFile(slug, tree), baselineProfileFile(slug)] : [profileFile(slug, tree)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) return undefined;
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  } catch {
    return undefined; // half-written by a run in progress
  }
  // The profile was taken of chapters/<slug>/ or solutions/<slug>/ (or a copy under .workbook/).
  const mine = (frame: Frame) => frame.file.endsWith('.ts') && frame.file.includes(`${slug}/`) && !/^(bench|test)\//.test(frame.file);
  // A run scores a snapshot of the learner's files (.workbook/runs/<run>/learner/): name them as the learner knows them.
  const stacks = collapseProfile(profile, { root }).map((stack) => ({
    ...stack,
    frames: stack.frames.map((frame) => ({ ...frame, file: frame.file.replace(/^\.workbook\/runs\/[^/]+\/learner\//, 'chapters/') })),
  }));
  const who = tree === 'chapters' ? 'Your code' : 'The reference solution';
  return {
    svg: renderFlameGraph(focusStacks(stacks, mine), { title: `${who}: CPU profile`, highlight: mine, ...(options.width ? { width: options.width } : {}) }),
    source: path.relative(root, file),
    capturedAt: statSync(file).mtime,
    hottest: hotFunctions(stacks, mine).slice(0, 5),
  };
}
