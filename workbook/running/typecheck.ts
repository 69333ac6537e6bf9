// Compiles the learner's files with the project's strict settings and returns
// the compiler's own messages with path:line, so a typo reads like a typo and
// not like an engine stack trace.
import path from 'node:path';
import ts from 'typescript';
import { relative, root } from '../paths.ts';
import type { RunProblem } from '../types.ts';

let cachedOptions: ts.CompilerOptions | undefined;

function compilerOptions(): ts.CompilerOptions {
  if (cachedOptions) return cachedOptions;
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  cachedOptions = { ...parsed.options, noEmit: true };
  return cachedOptions;
}

/**
 * Type-check `files`. Given the program of an earlier check, unchanged files
 * (the SDK's and Node's declarations, mostly) are reused instead of parsed again.
 */
export function typecheck(files: string[], warm?: ts.Program): RunProblem[] {
  return diagnosticsOf(createProgram(files, warm), files);
}

export function createProgram(files: string[], warm?: ts.Program): ts.Program {
  return ts.createProgram(files, compilerOptions(), undefined, warm);
}

function diagnosticsOf(program: ts.Program, files: string[]): RunProblem[] {
  const wanted = new Set(files.map((f) => path.resolve(f)));
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && wanted.has(path.resolve(d.file.fileName)))
    .map(toProblem);
}

function toProblem(diagnostic: ts.Diagnostic): RunProblem {
  const kind = 'types';
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return { kind, message };
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return {
    kind,
    message: `TS${diagnostic.code}: ${message}`,
    location: { file: relative(diagnostic.file.fileName), line: line + 1, column: character + 1 },
  };
}
