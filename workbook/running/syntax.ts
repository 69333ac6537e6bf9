// A fast parse of the learner's files (esbuild, a few ms) so a typo is
// reported at once, with path:line, before any check starts.
import { readFileSync } from 'node:fs';
import { transformSync, type TransformFailure } from 'esbuild';
import { relative } from '../paths.ts';
import type { ChapterSpec, RunProblem } from '../types.ts';

export function syntaxProblems(files: string[], chapter: ChapterSpec): RunProblem[] {
  const problems: RunProblem[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      problems.push({
        kind: 'compile',
        message: `${relative(file)} is missing. Restore the starter with: npm run chapter reset ${chapter.number}`,
      });
      continue;
    }
    try {
      transformSync(source, { loader: 'ts', sourcefile: file, format: 'esm', logLevel: 'silent' });
    } catch (error) {
      for (const e of (error as TransformFailure).errors ?? []) {
        problems.push({
          kind: 'compile',
          message: e.text,
          ...(e.location
            ? { location: { file: relative(file), line: e.location.line, column: e.location.column + 1 } }
            : {}),
        });
      }
    }
  }
  return problems;
}
