// Scores one chapter: snapshot the learner's files, parse and type-check them,
// run the checks, run the bench, and grade everything against the manifest.
//
// Every process of a run reads the same snapshot (taken when the run starts),
// so a save in the middle of a run never produces a scorecard that mixes two
// versions of a file. A run that is stopped (a hang, the memory cap, Ctrl-C)
// keeps the verdicts of the checks that finished, names the one that was
// running, and leaves nothing behind: processes, files, or data on real
// services.
import path from 'node:path';
import { runChild, stopAllChildren, type ChildOutcome, type StopReason } from './child-process.ts';
import { buildScorecard } from '../grading/grade.ts';
import { benchFile, chapterDir, checkFile, relative, root } from '../paths.ts';
import { backendName, maskSecrets, serviceMode, serviceProblems } from '../backends/services.ts';
import { removeRunData } from '../backends/cleanup.ts';
import { syntaxProblems } from './syntax.ts';
import { readJournal, type JournalState } from './journal.ts';
import { formatBytes, memoryBudgetBytes } from './limits.ts';
import { framesFromStack, locate } from './locate.ts';
import { createRunDir, removeAllRunDirs, takeSnapshot } from './run-dir.ts';
import type { ChapterSpec, CheckResult, Measurement, RunProblem, Scorecard, Tree } from '../types.ts';
import type { ChecksEvent, MeasureEvent, TypecheckEvent } from './protocol.ts';

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
  /**
   * Run the checks (and the counts they report) but not the bench: how the
   * variants suite scores code whose fault the checks already tell apart.
   */
  checksOnly?: boolean;
}

/** A check's result as the engine keeps it: with what the learner's code printed while it ran. */
export type CheckRecord = Omit<CheckResult, 'title'> & { output?: string };
/** A scorecard with the learner's console output (per check, and outside any check: `output`). */
export type ScoredCard = Scorecard & { checks: Array<CheckResult & { output?: string }>; output?: string };

/**
 * A process running learner code that keeps its main thread busy this long (its
 * own CPU time, not the clock's) without its event loop turning is in a loop
 * that never ends. No check holds the event loop anywhere near this long: a
 * check's whole budget is 5 s of wall-clock time.
 */
export const CHECK_CPU_LIMIT_MS = 5_000;
/** A bench may time a synchronous function in one long batch. */
export const BENCH_CPU_LIMIT_MS = 15_000;
/** Wall-clock budgets: last resorts for code that hangs without using CPU. */
const CHECKS_BUDGET_MS = 300_000;
const BENCH_BUDGET_MS = 300_000;
const TYPECHECK_BUDGET_MS = 120_000;
/** Per check, what the learner printed is kept to this much. */
const OUTPUT_LINES = 20;
const OUTPUT_CHARS = 2_000;

export async function runChapter(options: RunOptions): Promise<ScoredCard> {
  return prepareRun(options).start(options.onProgress);
}

export interface PreparedRun {
  /** Score the files as they are now, telling `onProgress` what is happening. */
  start(onProgress?: (label: string) => void): Promise<ScoredCard>;
  /** Stop the waiting processes without scoring. */
  cancel(): void;
  /** A hash of the files the run scored (after start). */
  readonly fingerprint: string | undefined;
}

/** Runs in progress, for Ctrl-C and a closing terminal (see stopAllRuns). */
const active = new Set<{ stop(): void; cleanup(): Promise<void> }>();

/**
 * End every run at once: kill every child process group, remove the run
 * folders, then remove the runs' data from real services (bounded in time).
 */
export async function stopAllRuns(): Promise<void> {
  stopAllChildren();
  const runs = [...active];
  for (const run of runs) run.stop();
  removeAllRunDirs();
  await Promise.allSettled(runs.map((run) => run.cleanup()));
}

/**
 * Start the engine's processes (checks, type-check, bench) and hold them at
 * the point where they would read the learner's files. Watch mode prepares the
 * next run while the learner edits, so a save only pays for the work itself.
 */
export function prepareRun({ chapter, tree, overlap = false, checksOnly = false }: Omit<RunOptions, 'onProgress'>): PreparedRun {
  const run = createRunDir();
  const learnerDir = chapterDir(tree, chapter);
  const snapshotDir = path.join(run.snapshotRoot, chapter.slug);
  const snapshotFiles = chapter.files.map((file) => path.join(snapshotDir, file));
  const namespace = process.env.WORKBOOK_NAMESPACE || run.namespace;
  const env = {
    WORKBOOK_TREE: tree,
    WORKBOOK_SNAPSHOT: run.snapshotRoot,
    WORKBOOK_NAMESPACE: namespace,
  };
  /** Paths into the snapshot, as the learner knows the files. */
  const learnerPaths = (text: string) =>
    text.split(snapshotDir).join(learnerDir).split(relative(snapshotDir)).join(relative(learnerDir));

  const checks = new Map<string, CheckRecord>();
  const measurements = new Map<string, Measurement>();
  const problems: RunProblem[] = [];
  const output = new Map<string, string[]>();

  const stop = new AbortController();
  const stopBench = new AbortController();
  let go = () => {};
  const started = new Promise<void>((resolve) => (go = resolve));
  let releaseBench = () => {};
  const benchMayStart = overlap ? started : new Promise<void>((resolve) => (releaseBench = resolve));
  let progress = (_label: string) => {};

  const types = runTypecheck(snapshotFiles, run.path, started, stop.signal);
  const checksRun = runChecks({
    chapter,
    env,
    runDir: run.path,
    checks,
    measurements,
    problems,
    output,
    onProgress: (label) => progress(label),
    startWhen: started,
    signal: stop.signal,
  });
  const bench = checksOnly
    ? Promise.resolve(undefined)
    : runBench(
        chapter,
        env,
        run.path,
        measurements,
        (label) => (overlap ? undefined : progress(label)),
        benchMayStart,
        AbortSignal.any([stop.signal, stopBench.signal]),
      );
  const everything = Promise.allSettled([types, checksRun, bench]);

  let cleaned: Promise<void> | undefined;
  const usesRealServices = (chapter.services ?? []).some((service) => serviceMode(service) === 'real');
  const self = {
    stop: () => cancel(),
    // Once every process has ended, however it ended: data first, then the folder.
    cleanup: () =>
      (cleaned ??= everything.then(async () => {
        if (usesRealServices) await removeRunData(chapter, namespace);
        run.remove();
        active.delete(self);
      })),
  };
  active.add(self);

  const cancel = () => {
    stop.abort();
    go();
    releaseBench();
    void self.cleanup();
  };

  let fingerprint: string | undefined;
  return {
    cancel,
    get fingerprint() {
      return fingerprint;
    },
    async start(onProgress = () => {}) {
      const startedAt = new Date();
      const t0 = performance.now();
      const finish = (found: RunProblem[], benchFailure?: string, stoppedAt?: { blame?: string; whileLoading?: boolean }): ScoredCard => {
        const card = buildScorecard({
          chapter,
          tree,
          startedAt,
          durationMs: performance.now() - t0,
          backend: backendName(),
          checks,
          measurements,
          problems: found,
          scope: checksOnly ? 'checks' : 'full',
          ...(benchFailure ? { benchFailure } : {}),
        }) as ScoredCard;
        // The hint that helps is the one for the check that hung, not for the ones it kept from running.
        const hung = stoppedAt?.blame ? chapter.checks.find((c) => c.id === stoppedAt.blame) : undefined;
        if (hung) card.nextHint = { id: hung.id, hint: hung.hint };
        // A file that never finished loading: no check's hint is about that.
        if (stoppedAt?.whileLoading) delete card.nextHint;
        const loadOutput = output.get('');
        if (loadOutput?.length) card.output = trimOutput(loadOutput);
        // Nothing the CLI prints or saves names the snapshot, or holds a password.
        return JSON.parse(maskSecrets(learnerPaths(JSON.stringify(card)))) as ScoredCard;
      };

      try {
        fingerprint = takeSnapshot(run, chapter, learnerDir);
        // Nothing is meaningful until the files parse: report only the compiler.
        const syntax = syntaxProblems(snapshotFiles, chapter);
        // A configured service that is down would fail every check for one reason: say it once.
        const blocking = syntax.length > 0 ? syntax : await serviceProblems(chapter);
        if (blocking.length > 0) {
          cancel();
          await everything;
          checks.clear();
          const why = syntax.length > 0 ? 'the file does not compile' : 'a service is unreachable';
          return finish(blocking, `not measured: ${why}`);
        }

        progress = onProgress;
        onProgress('checking correctness');
        go();
        const outcome = await checksRun;
        let benchFailure = 'not measured: the checks did not run to the end (see Problems above)';
        if (outcome.completed) {
          onProgress('measuring');
          releaseBench();
          benchFailure = (await bench) ?? '';
        } else {
          // Code that hung a check would hang the bench too.
          stopBench.abort();
          releaseBench();
          await bench;
        }
        for (const [id, lines] of output) {
          const record = checks.get(id);
          if (record && lines.length) record.output = trimOutput(lines);
        }
        return finish([...(await types), ...problems], benchFailure, outcome);
      } finally {
        stop.abort();
        await self.cleanup();
      }
    },
  };
}

async function runTypecheck(files: string[], runDir: string, startWhen: Promise<unknown>, signal: AbortSignal): Promise<RunProblem[]> {
  let problems: RunProblem[] | undefined;
  const outcome = await runChild<TypecheckEvent>({
    script: path.join(root, 'workbook', 'running', 'typecheck-child.ts'),
    args: files,
    runDir,
    timeoutMs: TYPECHECK_BUDGET_MS,
    memoryLimitBytes: memoryBudgetBytes(),
    startWhen,
    signal,
    onEvent(event) {
      if (event.type === 'problems') problems = event.problems;
    },
  });
  if (problems) return problems;
  if (outcome.stopped?.reason === 'cancelled') return [];
  return [{ kind: 'crash', message: `the type-check did not finish (exit ${outcome.exitCode}):\n${tail(outcome.output)}` }];
}

interface ChecksRunOptions {
  chapter: ChapterSpec;
  env: Record<string, string>;
  runDir: string;
  checks: Map<string, CheckRecord>;
  measurements: Map<string, Measurement>;
  problems: RunProblem[];
  output: Map<string, string[]>;
  onProgress: (label: string) => void;
  startWhen: Promise<unknown>;
  signal: AbortSignal;
}

/** Runs the checks. `completed` is false when they hung or crashed before the end; `blame` names a hung check. */
async function runChecks(options: ChecksRunOptions): Promise<{ completed: boolean; blame?: string; whileLoading?: boolean }> {
  const { chapter, checks, measurements, problems, output } = options;
  let reportedRunning: string | undefined;
  let finished = false;
  const outcome = await runChild<ChecksEvent>({
    script: path.join(root, 'workbook', 'running', 'checks-child.ts'),
    args: [checkFile(chapter)],
    env: options.env,
    runDir: options.runDir,
    startWhen: options.startWhen,
    signal: options.signal,
    timeoutMs: CHECKS_BUDGET_MS,
    cpuLimitMs: CHECK_CPU_LIMIT_MS,
    memoryLimitBytes: memoryBudgetBytes(),
    onEvent(event) {
      if (event.type === 'start') {
        reportedRunning = event.id;
        options.onProgress(`check ${event.id}`);
      } else if (event.type === 'result') {
        reportedRunning = undefined;
        const { type: _type, measurements: reported = [], ...result } = event;
        checks.set(event.id, result);
        // Counts come from the check whose scenario produced them.
        for (const measurement of reported) measurements.set(measurement.id, measurement);
      } else if (event.type === 'module-error') {
        problems.push({ kind: 'crash', message: event.message, ...(event.location ? { location: event.location } : {}) });
      } else if (event.type === 'console') {
        // Kept per check, one line past the limit so the card can say there was more.
        const key = event.id ?? '';
        const lines = output.get(key) ?? [];
        if (lines.length <= OUTPUT_LINES) lines.push(...event.text.replace(/\n$/, '').split('\n'));
        output.set(key, lines.slice(0, OUTPUT_LINES + 1));
      } else if (event.type === 'done') {
        finished = true;
      }
    },
  });
  // The journal was written as things happened, even where vitest's reports never arrived.
  const journal = readJournal(options.runDir);
  for (const ended of journal.ended) {
    if (checks.has(ended.id)) continue;
    const location = ended.stack ? locate(framesFromStack(ended.stack), ended.message) : undefined;
    checks.set(ended.id, {
      id: ended.id,
      verdict: ended.verdict,
      ...(ended.message ? { message: ended.message.split('\n').slice(0, 12).join('\n') } : {}),
      ...(location ? { location } : {}),
      ...(ended.durationMs === undefined ? {} : { durationMs: ended.durationMs }),
    });
    for (const measurement of ended.measurements ?? []) measurements.set(measurement.id, measurement);
  }

  const heapOverflow = /JavaScript heap out of memory|Reached heap limit|Allocation failed/.test(outcome.output);
  const stopped: StopReason | undefined =
    outcome.stopped ?? (heapOverflow ? { reason: 'memory', pid: 0, rssBytes: memoryBudgetBytes() } : undefined);
  if (stopped && stopped.reason !== 'cancelled') {
    // The journal is written synchronously by the worker: it knows what was running.
    const running = journal.running ?? (journal.anyStarted ? undefined : reportedRunning);
    const problem = stoppedProblem(stopped, running, journal);
    if (running) checks.set(running, { id: running, verdict: 'fail', message: problem.message });
    problems.push(problem);
    const where = running ? `the checks stopped at "${running}"` : journal.loading ? 'the checks stopped while loading your files' : 'the checks stopped';
    for (const spec of chapter.checks) {
      if (!checks.has(spec.id)) checks.set(spec.id, { id: spec.id, verdict: 'fail', message: `not run: ${where}` });
    }
    return { completed: false, ...(running ? { blame: running } : {}), ...(!running && journal.loading ? { whileLoading: true } : {}) };
  }
  if (stopped?.reason === 'cancelled') return { completed: false };
  if (!finished) {
    problems.push({ kind: 'crash', message: `the checks stopped early (exit ${outcome.exitCode}):\n${tail(outcome.output)}` });
  }
  return { completed: finished };
}

/** What the scorecard says about a check run the engine had to stop. */
function stoppedProblem(stopped: StopReason, running: string | undefined, journal: JournalState): RunProblem {
  const loading = !running && journal.loading ? relative(journal.loading) : undefined;
  const subject = running
    ? `check "${running}" did not finish`
    : loading
      ? `the checks stopped while loading ${loading}`
      : journal.ended.length > 0
        ? `the checks did not finish after "${journal.ended.at(-1)!.id}" (in clean-up code that ran after it)`
        : 'the checks did not finish while starting';
  if (stopped.reason === 'hang') {
    const cpu = (stopped.cpuMs / 1000).toFixed(1);
    const what = loading
      ? `its top-level code kept the CPU busy for ${cpu} s without finishing. Is there a loop outside any function that never ends?`
      : `the code kept the CPU busy for ${cpu} s without ever returning to the event loop. Is there a loop that never ends?`;
    return { kind: 'timeout', message: `${subject}: ${what}` };
  }
  if (stopped.reason === 'memory') {
    const used = stopped.pid ? `it held ${formatBytes(stopped.rssBytes)} of memory` : 'it ran out of JavaScript heap';
    return {
      kind: 'crash',
      message:
        `${subject}: ${used}; the budget is ${formatBytes(memoryBudgetBytes())}. ` +
        'Is something growing without bound: a cache with no limit, a buffer or list that is never released?',
    };
  }
  return {
    kind: 'timeout',
    message: `${subject}: still running after ${CHECKS_BUDGET_MS / 1000} s. Is there a promise that never settles, or a wait with no timeout?`,
  };
}

async function runBench(
  chapter: ChapterSpec,
  env: Record<string, string>,
  runDir: string,
  measurements: Map<string, Measurement>,
  onProgress: (label: string) => void,
  startWhen: Promise<unknown>,
  signal: AbortSignal,
): Promise<string | undefined> {
  let failure: string | undefined;
  let finished = false;
  let measuring = '';
  const outcome: ChildOutcome = await runChild<MeasureEvent>({
    script: path.join(root, 'workbook', 'running', 'measure-child.ts'),
    args: [benchFile(chapter)],
    env,
    runDir,
    nodeFlags: ['--expose-gc', `--max-old-space-size=${Math.round(memoryBudgetBytes() / 1024 / 1024) + 512}`],
    timeoutMs: BENCH_BUDGET_MS,
    cpuLimitMs: BENCH_CPU_LIMIT_MS,
    memoryLimitBytes: memoryBudgetBytes(),
    signal,
    startWhen,
    onEvent(event) {
      if (event.type === 'progress') {
        measuring = event.label;
        onProgress(`measuring ${event.label}`);
      } else if (event.type === 'measurement') measurements.set(event.measurement.id, event.measurement);
      else if (event.type === 'bench-error') failure = `the bench stopped: ${event.message}`;
      else if (event.type === 'done') finished = true;
    },
  });
  const during = measuring ? ` while measuring ${measuring}` : '';
  const stopped = outcome.stopped;
  if (stopped?.reason === 'hang') {
    return `the bench stopped${during}: the code kept the CPU busy for ${(stopped.cpuMs / 1000).toFixed(1)} s without returning. Is there a loop that never ends?`;
  }
  if (stopped?.reason === 'memory' || /JavaScript heap out of memory|Reached heap limit/.test(outcome.output)) {
    const held = stopped?.reason === 'memory' ? formatBytes(stopped.rssBytes) : 'all its heap';
    return `the bench stopped${during}: it held ${held} of memory; the budget is ${formatBytes(memoryBudgetBytes())}. Is something growing without bound?`;
  }
  if (stopped?.reason === 'budget') return `the bench did not finish within ${BENCH_BUDGET_MS / 1000} s${during} (is something stuck?)`;
  if (stopped?.reason === 'cancelled') return 'not measured: the run was stopped';
  if (!finished) return failure ?? `the bench stopped early (exit ${outcome.exitCode}):\n${tail(outcome.output)}`;
  return undefined;
}

function trimOutput(lines: string[]): string {
  const kept = lines.slice(0, OUTPUT_LINES).map((line) => (line.length > 200 ? `${line.slice(0, 200)}…` : line));
  let text = kept.join('\n');
  if (text.length > OUTPUT_CHARS) text = `${text.slice(0, OUTPUT_CHARS)}…`;
  if (lines.length > OUTPUT_LINES) text += '\n… (more output not shown)';
  return text;
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
