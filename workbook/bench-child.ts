// Child process: runs one chapter's bench and streams progress and
// measurements to the parent (see child.ts). Usage: bench-child.ts <bench-file>
import { pathToFileURL } from 'node:url';
import { emit, waitForGo } from './child.ts';
import { createContext, type BenchDefinition } from './measure.ts';

const [benchFile] = process.argv.slice(2);
if (!benchFile) throw new Error('usage: bench-child.ts <bench-file>');

try {
  const definition = (await import(pathToFileURL(benchFile).href)).default as BenchDefinition;
  const context = createContext(definition.chapterNumber, {
    progress: (label) => emit({ type: 'progress', label }),
    report: (measurement) => emit({ type: 'measurement', measurement }),
  });
  if (process.env.WORKBOOK_HELD) await waitForGo();
  await definition.run(context);
  emit({ type: 'done' });
  process.exit(0);
} catch (error) {
  const err = error as Error & { stack?: string };
  emit({ type: 'bench-error', message: err?.message ?? String(error), stack: err?.stack ?? '' });
  process.exit(1);
}
