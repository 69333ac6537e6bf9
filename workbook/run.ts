// Scores one chapter: parse and type-check the learner's files, run the checks,
// run the bench, and grade everything against the manifest.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { runChild } from './child.ts';
import { buildScorecard } from './grade.ts';
import { benchFile, chapterDir, checkFile, root, workbookDir } from './paths.ts';
import { backendName, serviceProblems } from './services.ts';
import { syntaxProblems } from './syntax.ts';
import type { ChapterSpec, CheckResult, Measurement, RunProblem, Scorecard, Tree } from './types.ts';

export interface RunOptions {
  chapter: ChapterSpec;
  tree: Tree;
  /** Called with short status lines while the run is in progress. */
  onProgress?: (label: string) => void;
  /**
   * Measure while the checks run instead of after them (watch mode): feedback
   * comes sooner, the figures are a little noisier, the verdicts the same.
   */
  overlap?: boolean;
}

/**
 * Once checks are running, one that sends nothing for this long is taken to be
 * stuck in a loop (vitest's own per-check timeout catches a promise that never
 * settles; only a synchronous loop silences the worker this long).
 */
const CHECK_IDLE_MS = 12_000;
/** Starting vitest, or PGlite in a bench, can take many seconds on a loaded machine. */
const STARTUP_MS = 90_000;
const CHECKS_BUDGET_MS = 240_000;
const BENCH_IDLE_MS = 30_000;
const BENCH_BUDGET_MS = 240_000;

export async function runChapter(options: RunOptions): Promise<Scorecard> {
  return prepareRun(options).start(options.onProgress);
}

export interface PreparedRun {
  /** Score the files as they are now, telling `onProgress` what is happening. */
  start(onProgress?: (label: string) => void): Promise<Scorecard>;
  /** Stop the waiting processes without scoring. */
  cancel(): void;
}

/**
 * Start the engine's processes (checks, type-check, bench) and hold them at
 * the point where they would read the learner's files. Watch mode prepares the
 * next run while the learner edits, so a save only pays for the work itself.
 */
export function prepareRun({ chapter, tree, overlap = false }: Omit<RunOptions, 'onProgress'>): PreparedRun {
  const env = { WORKBOOK_TREE: tree };
  const checks = new Map<string, Omit<CheckResult, 'title'>>();
  const measurements = new Map<string, Measurement>();
  const problems: RunProblem[] = [];
  const learnerFiles = chapter.files.map((file) => path.join(chapterDir(tree, chapter), file));

  const stop = new AbortController();
  const stopBench = new AbortController();
  let go = () => {};
  const started = new Promise<void>((resolve) => (go = resolve));
  let releaseBench = () => {};
  const benchMayStart = overlap ? started : new Promise<void>((resolve) => (releaseBench = resolve));
  let progress = (_label: string) => {};

  const types = runTypecheck(learnerFiles, started, stop.signal);
  const checksRun = runChecks(chapter, env, checks, problems, (label) => progress(label), started, stop.signal);
  const bench = runBench(
    chapter,
    env,
    measurements,
    (label) => (overlap ? undefined : progress(label)),
    benchMayStart,
    AbortSignal.any([stop.signal, stopBench.signal]),
  );

  const cancel = () => {
    stop.abort();
    go();
    releaseBench();
  };

  return {
    cancel,
    async start(onProgress = () => {}) {
      const startedAt = new Date();
      const t0 = performance.now();
      const finish = (found: RunProblem[], benchFailure?: string) =>
        buildScorecard({
          chapter,
          tree,
          startedAt,
          durationMs: performance.now() - t0,
          backend: backendName(),
          checks,
          measurements,
          problems: found,
          ...(benchFailure ? { benchFailure } : {}),
        });

      // Nothing is meaningful until the files parse: report only the compiler.
      const syntax = syntaxProblems(learnerFiles);
      // A configured service that is down would fail every check for one reason: say it once.
      const blocking = syntax.length > 0 ? syntax : await serviceProblems(chapter);
      if (blocking.length > 0) {
        cancel();
        await Promise.allSettled([types, checksRun, bench]);
        checks.clear();
        const why = syntax.length > 0 ? 'the file does not compile' : 'a service is unreachable';
        return finish(blocking, `not measured: ${why}`);
      }

      progress = onProgress;
      onProgress('checking correctness');
      go();
      const completed = await checksRun;
      let benchFailure = 'not measured: the checks did not run to the end (see Problems above)';
      if (completed) {
        onProgress('measuring');
        releaseBench();
        benchFailure = (await bench) ?? '';
      } else {
        // Code that hung a check would hang the bench too.
        stopBench.abort();
        releaseBench();
        await bench;
      }
      return finish([...(await types), ...problems], benchFailure);
    },
  };
}

async function runTypecheck(files: string[], startWhen: Promise<unknown>, signal: AbortSignal): Promise<RunProblem[]> {
  let problems: RunProblem[] | undefined;
  const outcome = await runChild({
    script: path.join(root, 'workbook', 'typecheck-child.ts'),
    args: files,
    timeoutMs: 60_000,
    startWhen,
    signal,
    onEvent(event) {
      if (event.type === 'problems') problems = event.problems as RunProblem[];
    },
  });
  if (problems) return problems;
  return [{ kind: 'crash', message: `the type-check did not finish (exit ${outcome.exitCode}):\n${tail(outcome.output)}` }];
}

/** Runs the checks; false when they hung or crashed before the end. */
async function runChecks(
  chapter: ChapterSpec,
  env: Record<string, string>,
  checks: Map<string, Omit<CheckResult, 'title'>>,
  problems: RunProblem[],
  onProgress: (label: string) => void,
  startWhen: Promise<unknown>,
  signal: AbortSignal,
): Promise<boolean> {
  let running: string | undefined;
  let finished = false;
  await mkdir(workbookDir, { recursive: true });
  const marker = path.join(workbookDir, `running-check-${process.pid}-${Date.now()}`);
  const outcome = await runChild({
    script: path.join(root, 'workbook', 'checks-child.ts'),
    args: [checkFile(chapter)],
    env: { ...env, WORKBOOK_CHECK_MARKER: marker },
    heartbeatFile: marker,
    startWhen,
    signal,
    timeoutMs: CHECKS_BUDGET_MS,
    idleTimeoutMs: CHECK_IDLE_MS,
    startupTimeoutMs: STARTUP_MS,
    onEvent(event) {
      if (event.type === 'start') {
        running = String(event.id);
        onProgress(`check ${running}`);
      } else if (event.type === 'result') {
        running = undefined;
        const { type: _type, ...result } = event;
        checks.set(String(event.id), result as unknown as Omit<CheckResult, 'title'>);
      } else if (event.type === 'module-error') {
        problems.push({ kind: 'crash', message: String(event.message), ...locationOf(event) });
      } else if (event.type === 'done') {
        finished = true;
      }
    },
  });
  // The marker names the check that started last, even if its worker hung before reporting.
  const lastStarted = await readFile(marker, 'utf8').catch(() => undefined);
  await rm(marker, { force: true });
  running ??= outcome.timedOut ? lastStarted : undefined;
  if (outcome.timedOut) {
    const where = running ? `check "${running}"` : 'the checks';
    const message = `${where} did not finish: no progress for ${CHECK_IDLE_MS / 1000} s. Is there a loop that never ends, or a promise that never settles?`;
    if (running) checks.set(running, { id: running, verdict: 'fail', message });
    problems.push({ kind: 'timeout', message });
  } else if (!finished) {
    problems.push({ kind: 'crash', message: `the checks stopped early (exit ${outcome.exitCode}):\n${tail(outcome.output)}` });
  }
  return finished && !outcome.timedOut;
}

async function runBench(
  chapter: ChapterSpec,
  env: Record<string, string>,
  measurements: Map<string, Measurement>,
  onProgress: (label: string) => void,
  startWhen: Promise<unknown>,
  signal: AbortSignal,
): Promise<string | undefined> {
  let failure: string | undefined;
  let finished = false;
  const outcome = await runChild({
    script: path.join(root, 'workbook', 'bench-child.ts'),
    args: [benchFile(chapter)],
    env,
    nodeFlags: ['--expose-gc'],
    timeoutMs: BENCH_BUDGET_MS,
    idleTimeoutMs: BENCH_IDLE_MS,
    startupTimeoutMs: STARTUP_MS,
    signal,
    startWhen,
    onEvent(event) {
      if (event.type === 'progress') onProgress(`measuring ${String(event.label)}`);
      else if (event.type === 'measurement') {
        const measurement = event.measurement as Measurement;
        measurements.set(measurement.id, measurement);
      } else if (event.type === 'bench-error') failure = `the bench stopped: ${String(event.message)}`;
      else if (event.type === 'done') finished = true;
    },
  });
  if (outcome.timedOut) return `the bench did not finish within its time budget (is something stuck?)`;
  if (!finished) return failure ?? `the bench stopped early (exit ${outcome.exitCode}):\n${tail(outcome.output)}`;
  return undefined;
}

function locationOf(event: Record<string, unknown>) {
  return event.location ? { location: event.location as RunProblem['location'] & object } : {};
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
