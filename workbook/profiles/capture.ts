// Capture a CPU profile of some work from inside the process (the same
// sampling profiler `node --cpu-prof` starts, driven through node:inspector),
// and save it with its flame graph where the site and the learner find it.
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { profileFile } from '../grading/results.ts';
import { root } from '../paths.ts';
import type { Tree } from '../types.ts';
import { collapseProfile, focusStacks, renderFlameGraph, type CollapsedStack, type CpuProfile, type Frame } from './flamegraph.ts';
import { decodeMappings, inlineSourceMap, originalPosition } from './source-map.ts';

export interface CaptureOptions {
  /** Microseconds between samples; V8's default is 1000, --cpu-prof's too. */
  samplingIntervalUs?: number;
}

/** Run `work` under the V8 sampling profiler and return the profile. */
export async function captureCpuProfile(work: () => Promise<void>, options: CaptureOptions = {}): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: options.samplingIntervalUs ?? 100 });
    await session.post('Profiler.start');
    let failure: unknown;
    try {
      await work();
    } catch (error) {
      failure = error;
    }
    // Stop even when the work failed: a running profiler keeps sampling.
    const { profile } = await session.post('Profiler.stop');
    await session.post('Profiler.disable');
    if (failure !== undefined) throw failure;
    return profile as unknown as CpuProfile;
  } finally {
    session.disconnect();
  }
}

/**
 * Put the profile's positions back on the source a person wrote, for scripts
 * that carry an inline source map (everything tsx loads). V8 reports where a
 * function starts in the JavaScript it ran; tsx runs whitespace-minified
 * output, so without this every TypeScript function is "line 1". Uses the
 * inspector's Debugger domain to read the scripts' text, then turns it off.
 */
export async function mapToSources(profile: CpuProfile): Promise<CpuProfile> {
  const wanted = new Set(profile.nodes.map((n) => n.callFrame.url).filter((url) => url.startsWith('file://')));
  const session = new Session();
  session.connect();
  const scripts = new Map<string, string>(); // url → scriptId
  session.on('Debugger.scriptParsed', ({ params }) => {
    if (wanted.has(params.url)) scripts.set(params.url, params.scriptId);
  });
  try {
    await session.post('Debugger.enable'); // replays scriptParsed for every script already loaded
    const maps = new Map<string, ReturnType<typeof decodeMappings>>();
    for (const [url, scriptId] of scripts) {
      const { scriptSource } = await session.post('Debugger.getScriptSource', { scriptId });
      const map = inlineSourceMap(scriptSource);
      if (map) maps.set(url, decodeMappings(map.mappings));
    }
    await session.post('Debugger.disable');
    return {
      ...profile,
      nodes: profile.nodes.map((node) => {
        const segments = maps.get(node.callFrame.url);
        const original = segments && originalPosition(segments, node.callFrame.lineNumber, node.callFrame.columnNumber);
        return original ? { ...node, callFrame: { ...node.callFrame, lineNumber: original.line, columnNumber: original.column } } : node;
      }),
    };
  } finally {
    session.disconnect();
  }
}

export interface SavedProfile {
  profilePath: string;
  svgPath: string;
  stacks: CollapsedStack[];
}

/**
 * Write `profile-<tree>.cpuprofile` (opens in Chrome DevTools, speedscope,
 * VS Code) and `profile-<tree>.svg` beside the chapter's results.
 */
export async function saveProfile(
  slug: string,
  tree: Tree,
  profile: CpuProfile,
  options: {
    title: string;
    /** Frames drawn in the "your code" colours. */
    highlight?: (frame: Frame) => boolean;
    /** Start the flame graph's stacks at the first such frame (the harness below it is left out). */
    startAt?: (frame: Frame) => boolean;
  },
): Promise<SavedProfile> {
  const profilePath = profileFile(slug, tree);
  const svgPath = profileFile(slug, tree, 'svg');
  await mkdir(path.dirname(profilePath), { recursive: true });
  const stacks = collapseProfile(profile, { root });
  await writeFile(profilePath, JSON.stringify(profile));
  const drawn = options.startAt ? focusStacks(stacks, options.startAt) : stacks;
  await writeFile(svgPath, renderFlameGraph(drawn, { title: options.title, ...(options.highlight ? { highlight: options.highlight } : {}) }));
  return { profilePath, svgPath, stacks };
}
