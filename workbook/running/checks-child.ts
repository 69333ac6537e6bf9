// Child process: runs one chapter's vitest checks and streams each outcome to
// the parent (see child-process.ts). Usage: checks-child.ts <check-file>
//
// vitest runs the checks in one worker process of its own (this process's
// group, so the CLI ends both together). That worker runs checks-runner.ts,
// which journals every check and hides the engine's settings from the learner.
import path from 'node:path';
import { startVitest } from 'vitest/node';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import type { Plugin } from 'vite';
import { emit, waitForGo, watchParent } from './in-child.ts';
import { locate } from './locate.ts';
import { engineSetting, root } from '../paths.ts';
import { heapLimitFlag } from './limits.ts';

const [checkFile] = process.argv.slice(2);
if (!checkFile) throw new Error('usage: checks-child.ts <check-file>');
watchParent();

interface ErrorLike {
  message?: string;
  stack?: string;
  stacks?: Array<{ file: string; line: number; column: number }>;
}

function describeError(error: ErrorLike | undefined) {
  const message = (error?.message ?? 'failed').split('\n').slice(0, 12).join('\n');
  const location = locate(error?.stacks ?? [], message);
  return { message, ...(location ? { location } : {}) };
}

let vitest: Vitest | undefined;
const reporter: Reporter = {
  onInit(instance) {
    vitest = instance;
  },
  onTestCaseReady(testCase: TestCase) {
    emit({ type: 'start', id: testCase.name });
  },
  onTestCaseResult(testCase: TestCase) {
    const result = testCase.result();
    const durationMs = testCase.diagnostic()?.duration;
    const measurements = testCase.meta().workbookMeasurements ?? [];
    const common = { type: 'result', id: testCase.name, ...(durationMs === undefined ? {} : { durationMs }), measurements } as const;
    if (result.state === 'passed') emit({ ...common, verdict: 'pass' });
    else if (result.state === 'failed') emit({ ...common, verdict: 'fail', ...describeError(result.errors[0]) });
  },
  onUserConsoleLog(log) {
    // What the learner's code printed, against the check that was running.
    const entity = log.taskId ? vitest?.state.getReportedEntityById(log.taskId) : undefined;
    const id = entity?.type === 'test' ? entity.name : undefined;
    emit({ type: 'console', ...(id ? { id } : {}), stream: log.type, text: log.content });
  },
  onTestModuleEnd(testModule: TestModule) {
    for (const error of testModule.errors()) emit({ type: 'module-error', ...describeError(error) });
  },
  onTestRunEnd(_modules, unhandledErrors) {
    for (const error of unhandledErrors) emit({ type: 'module-error', ...describeError(error) });
  },
};

/**
 * Calls to the runner's load markers around each learner file's own code (on
 * its first line, so line numbers do not move): a loop in top-level code is
 * then reported against the file it is in.
 */
function loadMarkers(snapshot: string): Plugin {
  const prefix = snapshot.endsWith(path.sep) ? snapshot : snapshot + path.sep;
  return {
    name: 'workbook-load-markers',
    enforce: 'post',
    transform(code, id) {
      const file = id.split('?')[0]!;
      if (!file.startsWith(prefix)) return undefined;
      const name = JSON.stringify(file);
      return {
        code: `globalThis.__workbookLoading?.(${name});${code}\n;globalThis.__workbookLoaded?.(${name});\n`,
        map: null,
      };
    },
  };
}

// Started ahead of time, the child has loaded vitest by now; the learner's
// files are only read once the parent says go.
if (engineSetting('WORKBOOK_HELD')) await waitForGo();
const snapshot = engineSetting('WORKBOOK_SNAPSHOT');
const instance = await startVitest(
  'test',
  [checkFile],
  {
    watch: false,
    reporters: [reporter],
    runner: path.join(root, 'workbook', 'running', 'checks-runner.ts'),
    // One worker with GC exposed (memory checks force collections) and a heap
    // cap, so a leak ends as a clear message instead of swapping the machine.
    execArgv: ['--expose-gc', heapLimitFlag()],
    maxWorkers: 1,
    testTimeout: 5_000,
    passWithNoTests: false,
    // The project's own test suite sets up a scratch folder; a learner's run needs none.
    globalSetup: [],
    // Exactly the file it was given, whatever the config's include patterns say.
    include: [path.relative(root, path.resolve(checkFile))],
  },
  snapshot ? { plugins: [loadMarkers(snapshot)] } : {},
);
await instance.close();
emit({ type: 'done' });
process.exit(0);
