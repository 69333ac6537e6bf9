// The server as one ES module (our code and the solutions bundled, packages
// left in node_modules), so measured runs start in a second and carry no
// TypeScript loader. Used by the load test, the server benchmark and the
// reliability tests; `npm run server` runs the sources through tsx.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { root, workbookDir } from '../workbook/paths.ts';

export const builtServer = path.join(workbookDir, 'build', 'server.mjs');

/** Bundle `entry` (server/main.ts by default) into .workbook/build and return the file. */
export async function buildServer(entry = path.join(root, 'server', 'main.ts'), outfile = builtServer): Promise<string> {
  mkdirSync(path.dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/** Environment for a built file: where the repository is (the bundle cannot tell from its own path). */
export function builtEnv(): Record<string, string> {
  return { WORKBOOK_ROOT: root };
}
