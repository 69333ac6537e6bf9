// Child process: runs one chapter's vitest checks and streams each outcome to
// the parent (see child.ts). Usage: checks-child.ts <check-file>
import { startVitest } from 'vitest/node';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { emit, waitForGo } from './child.ts';
import { locate } from './locate.ts';

const [checkFile] = process.argv.slice(2);
if (!checkFile) throw new Error('usage: checks-child.ts <check-file>');

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

const reporter: Reporter = {
  onTestCaseReady(testCase: TestCase) {
    emit({ type: 'start', id: testCase.name });
  },
  onTestCaseResult(testCase: TestCase) {
    const result = testCase.result();
    const durationMs = testCase.diagnostic()?.duration;
    if (result.state === 'passed') emit({ type: 'result', id: testCase.name, verdict: 'pass', durationMs });
    else if (result.state === 'failed') {
      emit({ type: 'result', id: testCase.name, verdict: 'fail', durationMs, ...describeError(result.errors[0]) });
    }
  },
  onTestModuleEnd(testModule: TestModule) {
    for (const error of testModule.errors()) emit({ type: 'module-error', ...describeError(error) });
  },
  onTestRunEnd(_modules, unhandledErrors) {
    for (const error of unhandledErrors) emit({ type: 'module-error', ...describeError(error) });
  },
};

// Started ahead of time, the child has loaded vitest by now; the learner's
// files are only read once the parent says go.
if (process.env.WORKBOOK_HELD) await waitForGo();
const vitest = await startVitest('test', [checkFile], {
  watch: false,
  reporters: [reporter],
  // Checks run in one fork with GC exposed, so memory checks can force a collection.
  execArgv: ['--expose-gc'],
  maxWorkers: 1,
  testTimeout: 5_000,
  passWithNoTests: false,
});
await vitest.close();
emit({ type: 'done' });
process.exit(0);
