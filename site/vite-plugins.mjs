// Two small Vite plugins the site needs (plain ESM so astro.config.mjs can load them as is).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { latestResultAt } from '../workbook/grading/results.ts';
import { resultsDir } from '../workbook/paths.ts';

/**
 * workbook/paths.ts finds the repository from its own import.meta.url. Bundled for the static build that URL would point at a
 * chunk in site/dist; pin it to the source file instead.
 * @param {string} root the repository root
 * @returns {import('vite').Plugin}
 */
export function keepSourceUrls(root) {
  const prefix = root + path.sep;
  return {
    name: 'workbook:keep-source-urls',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!file.startsWith(prefix) || file.includes(`${path.sep}node_modules${path.sep}`)) return null;
      if (!/\.(ts|mjs|js)$/.test(file) || !code.includes('import.meta.url')) return null;
      return { code: code.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href)), map: null };
    },
  };
}

/**
 * In `npm run site`, tell open pages when `npm run chapter N` writes a result,
 * as the Vite HMR custom event `workbook:result` ({ slug, tree }). The page's
 * live-results island then fetches its fresh server-rendered HTML.
 * @returns {import('vite').Plugin}
 */
export function liveResults() {
  return {
    name: 'workbook:live-results',
    apply: 'serve',
    configureServer(server) {
      const dir = resultsDir; // workbook/paths.ts: .workbook/results, or WORKBOOK_RESULTS_DIR
      mkdirSync(dir, { recursive: true }); // so the watcher has something to watch on a fresh clone
      server.watcher.add(dir);
      const announce = (file) => {
        const result = latestResultAt(file);
        if (!result) return;
        try {
          JSON.parse(readFileSync(file, 'utf8')); // skip a half-written file; the next write announces again
        } catch {
          return;
        }
        server.ws.send({ type: 'custom', event: 'workbook:result', data: result });
      };
      server.watcher.on('add', announce);
      server.watcher.on('change', announce);
    },
  };
}
