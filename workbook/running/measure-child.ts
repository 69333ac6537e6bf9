// Child process: runs one chapter's bench and streams progress and
// measurements to the parent (see child-process.ts). Usage: measure-child.ts <bench-file>
import { pathToFileURL } from 'node:url';
import { emit, hideEngineFromLearner, startHeartbeat, waitForGo, watchParent } from './in-child.ts';
import { createContext, type BenchDefinition } from '../authoring/define-measurements.ts';
import { assertInstrumentsIntact } from '../authoring/lock-grader.ts';

const [benchFile] = process.argv.slice(2);
if (!benchFile) throw new Error('usage: measure-child.ts <bench-file>');
watchParent();
// Before any learner file can load (the bench imports them when it runs).
const held = Boolean(process.env.WORKBOOK_HELD);
hideEngineFromLearner();

try {
  const definition = (await import(pathToFileURL(benchFile).href)).default as BenchDefinition;
  const context = createContext(definition.chapterNumber, {
    progress: (label) => emit({ type: 'progress', label }),
    report: (measurement) => emit({ type: 'measurement', measurement }),
  });
  if (held) await waitForGo();
  startHeartbeat();
  await definition.run(context);
  assertInstrumentsIntact();
  emit({ type: 'done' });
  process.exit(0);
} catch (error) {
  const err = error as Error & { stack?: string };
  emit({ type: 'bench-error', message: err?.message ?? String(error), stack: err?.stack ?? '' });
  process.exit(1);
}
