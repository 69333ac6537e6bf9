// Both directions, every chapter, through the real CLI: the reference passes
// everything, and each starter fails exactly the checks its lesson names.
// Chapters that use PostgreSQL or Redis are scored twice: on the embedded
// stand-ins and on the real services.
import { describe, expect, test } from 'vitest';
import { explainFailures as explain, failedIds } from '../workbook/grading/grade.ts';
import { chapters } from '../workbook/manifest.ts';
import type { ChapterSpec, Scorecard } from '../workbook/types.ts';
import { publishedStarterTree } from '../workbook/running/starter-tree.ts';
import { scoreJson } from './support/cli.ts';
import { reachable, realServiceUrl, services } from '../workbook/backends/services.ts';

interface Mode {
  name: string;
  env: Record<string, string>;
  /** Why this mode cannot run here, if it cannot. */
  unavailable?: string;
}

async function modesFor(chapter: ChapterSpec): Promise<Mode[]> {
  // Embedded mode must not pick up real services from the caller's environment.
  const modes: Mode[] = [{ name: 'embedded', env: { DATABASE_URL: '', REDIS_URL: '' } }];
  if (!chapter.services?.length) return modes;
  const env: Record<string, string> = {};
  const down: string[] = [];
  for (const service of chapter.services) {
    const url = realServiceUrl(service);
    env[services[service].env] = url;
    if (!(await reachable(url))) down.push(`${service} at ${url}`);
  }
  modes.push({ name: 'real services', env, ...(down.length ? { unavailable: `unreachable: ${down.join(', ')}` } : {}) });
  return modes;
}

for (const chapter of chapters) {
  const modes = await modesFor(chapter);
  describe.sequential(`chapter ${chapter.number}: ${chapter.title}`, () => {
    for (const mode of modes) {
      if (mode.unavailable) {
        // Visible, never a silent pass; on CI the services must be there.
        const message = `${mode.name} mode skipped — ${mode.unavailable}`;
        if (process.env.CI) test(`${mode.name}: services reachable`, () => expect.fail(message));
        else {
          console.warn(`⚠ chapter ${chapter.number}: ${message}`);
          test.skip(`${mode.name}: ${message}`, () => {});
        }
        continue;
      }

      test(`${mode.name}: the reference solution passes every check and target`, async () => {
        const { card } = await scoreJson(chapter.number, 'solutions', mode.env);
        expect(failedIds(card), explain(card)).toEqual([]);
        expect(card.verdict).toBe('pass');
      }, 180_000);

      test(`${mode.name}: the starter fails exactly what its lesson names`, async () => {
        const starter = publishedStarterTree(chapter);
        const { card } = await scoreJson(chapter.number, 'chapters', { ...mode.env, ...starter.env }).finally(starter.remove);
        expect(card.problems, 'a starter must run cleanly: broken behaviour, not broken code').toEqual([]);
        expect(failedIds(card).sort(), explain(card)).toEqual(Object.keys(chapter.starterFails).sort());
      }, 180_000);
    }
  });
}
