// Where the site reads the learner's files. Plain ESM: the Vite config and the
// pages both use it. Environment variables let tests and team leads point elsewhere.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (site/src/lib → three levels up; see keepSourceUrls in vite-plugins.mjs). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `.workbook/results/`, or WORKBOOK_RESULTS_DIR (tests use a temp folder). */
export function resultsDir() {
  return path.resolve(process.env.WORKBOOK_RESULTS_DIR ?? path.join(repoRoot, '.workbook', 'results'));
}

/** `.workbook/progress/`, or TEAM_PROGRESS_DIR: the folder of progress exports the team page merges. */
export function progressDir() {
  return path.resolve(process.env.TEAM_PROGRESS_DIR ?? path.join(repoRoot, '.workbook', 'progress'));
}
