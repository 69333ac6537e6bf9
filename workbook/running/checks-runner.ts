// The test runner the checks child hands vitest (config `runner`): vitest's
// own, plus what the CLI needs to judge a run that never reports again.
//  - Before the check file loads: the engine's settings leave process.env and
//    the heartbeat starts (see in-child.ts).
//  - Every check's start and end goes to the run journal synchronously, the
//    moment it happens: vitest's reports travel in batches, and the batch in
//    flight when learner code hangs the worker is never sent.
//  - Engine services started while the check file loaded (the embedded
//    database) are ready before the first check starts.
//  - Learner files call the load markers below from their first and last line
//    (checks-child.ts adds the calls as vitest loads them), so a loop in a
//    file's top-level code is reported against that file.
import { TestRunner } from 'vitest';
import type { RunnerTask as Task, RunnerTestSuite as Suite } from 'vitest';
import { harnessStartups, hideEngineFromLearner, journal, startHeartbeat } from './in-child.ts';
import type { Measurement } from '../types.ts';

const markers = globalThis as {
  __workbookLoading?: (file: string) => void;
  __workbookLoaded?: (file: string) => void;
};
markers.__workbookLoading = (file) => journal({ type: 'loading', file });
markers.__workbookLoaded = (file) => journal({ type: 'loaded', file });

export default class CheckRunner extends TestRunner {
  override importFile(filepath: string, source: 'collect' | 'setup'): unknown {
    if (source === 'collect') {
      hideEngineFromLearner();
      startHeartbeat();
    }
    return super.importFile(filepath, source);
  }

  /**
   * Engine services that started while the check file loaded (PGlite) finish
   * starting before the first check: their start-up is not the learner's
   * time, and must not eat into any check's time limit.
   */
  override async onBeforeRunSuite(suite: Suite): Promise<void> {
    await Promise.allSettled(harnessStartups());
    await super.onBeforeRunSuite(suite);
  }

  override async onBeforeRunTask(test: Task): Promise<void> {
    await super.onBeforeRunTask(test);
    if (test.type === 'test' && (test.mode === 'run' || test.mode === 'queued')) journal({ type: 'start', id: test.name });
  }

  override onAfterRunTask(test: Task): void {
    super.onAfterRunTask(test);
    const result = test.result;
    if (test.type !== 'test' || !result || (result.state !== 'pass' && result.state !== 'fail')) return;
    const error = result.errors?.[0];
    const measurements = (test.meta as { workbookMeasurements?: Measurement[] }).workbookMeasurements;
    journal({
      type: 'end',
      id: test.name,
      verdict: result.state,
      ...(error?.message ? { message: error.message } : {}),
      ...(error?.stack ? { stack: error.stack } : {}),
      ...(result.duration === undefined ? {} : { durationMs: result.duration }),
      ...(measurements?.length ? { measurements } : {}),
    });
  }
}
