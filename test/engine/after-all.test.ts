// Clean-up that a chapter's checks file declares in afterAll (closing an
// embedded database, deleting a run's keys) runs under the engine's checks
// child, after the last check and before the child reports it is done; a hook
// that throws reaches the CLI as an error, so the run cannot pass over it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runChild } from '../../workbook/running/child-process.ts';
import { root, workbookDir } from '../../workbook/paths.ts';
import type { ChecksEvent } from '../../workbook/running/protocol.ts';

const scratch = mkdtempSync(path.join(workbookDir, 'after-all-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('afterAll hooks in a checks file run under the checks child, in order, and a failing one is reported', async () => {
  const marks = path.join(scratch, 'marks');
  writeFileSync(marks, '');
  const events: ChecksEvent[] = [];
  const outcome = await runChild<ChecksEvent>({
    script: path.join(root, 'workbook', 'running', 'checks-child.ts'),
    args: [path.join(root, 'test', 'engine', 'fixtures', 'after-all-hooks.checks.ts')],
    env: { AFTER_ALL_MARKS: marks },
    timeoutMs: 120_000,
    onEvent: (event) => events.push(event),
  });
  expect(outcome.exitCode, outcome.output).toBe(0);
  expect(readFileSync(marks, 'utf8').split('\n').filter(Boolean)).toEqual(['first check', 'second check', 'sync clean-up', 'async clean-up']);
  expect(events.filter((e) => e.type === 'result').map((e) => [e.id, e.verdict])).toEqual([
    ['first', 'pass'],
    ['second', 'pass'],
  ]);
  expect(events.find((e) => e.type === 'module-error')).toMatchObject({ message: 'clean-up failed on purpose' });
  expect(events.at(-1)).toEqual({ type: 'done' });
}, 150_000);
