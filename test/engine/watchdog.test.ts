// The child watchdog judges a process by the CPU it burns, not by the clock:
// a synchronous loop is stopped after its own CPU time passes the limit; a
// process that simply gets no CPU (a busy machine, here SIGSTOP) is never
// called a hang; memory past the budget ends the group.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runChild, type ChildOutcome } from '../../workbook/running/child-process.ts';
import { isAlive } from '../../workbook/running/process-table.ts';
import { root, workbookDir } from '../../workbook/paths.ts';
import type { ChildEvent } from '../../workbook/running/protocol.ts';

const runDir = mkdtempSync(path.join(workbookDir, 'watchdog-test-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));
const script = path.join(root, 'test', 'engine', 'fixtures', 'busy-child.ts');

function busyChild(args: string[], options: { cpuLimitMs?: number; memoryLimitBytes?: number; timeoutMs?: number; onPid?: (pid: number) => void }) {
  const started = performance.now();
  let pid = 0;
  const outcome = runChild<ChildEvent>({
    script,
    args,
    runDir,
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.cpuLimitMs ? { cpuLimitMs: options.cpuLimitMs } : {}),
    ...(options.memoryLimitBytes ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
    onEvent: () => {},
  });
  return { outcome: outcome.then((o: ChildOutcome) => ({ ...o, seconds: (performance.now() - started) / 1000, pid })) };
}

test('a synchronous loop is stopped once it has burnt the CPU limit, and the message says how much', async () => {
  const { outcome } = busyChild(['spin'], { cpuLimitMs: 1_500 });
  const result = await outcome;
  expect(result.stopped).toMatchObject({ reason: 'hang' });
  expect((result.stopped as { cpuMs: number }).cpuMs).toBeGreaterThanOrEqual(1_500);
}, 60_000);

test('a child that gets no CPU for longer than the limit (a busy machine) is not a hang', async () => {
  // The child waits 4 s of wall-clock time; it is stopped outright for 3 s of it, twice the CPU limit.
  const child = runChild<ChildEvent>({
    script,
    args: ['wait', '4000'],
    runDir,
    timeoutMs: 60_000,
    cpuLimitMs: 1_500,
    onEvent(event) {
      if (event.type !== 'start') return;
    },
  });
  // Find the child by its heartbeat file and freeze it.
  const deadline = Date.now() + 20_000;
  let pid: number | undefined;
  while (!pid && Date.now() < deadline) {
    const { readdirSync } = await import('node:fs');
    pid = readdirSync(runDir)
      .filter((f) => f.startsWith('beat-'))
      .map((f) => Number(f.slice(5)))
      .find((p) => isAlive(p));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(pid).toBeDefined();
  process.kill(pid!, 'SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  process.kill(pid!, 'SIGCONT');
  const result = await child;
  expect(result.stopped).toBeUndefined();
  expect(result.exitCode).toBe(0);
}, 60_000);

test('memory past the budget ends the group, naming the process and how much it held', async () => {
  const { outcome } = busyChild(['allocate'], { memoryLimitBytes: 300 * 1024 * 1024 });
  const result = await outcome;
  expect(result.stopped).toMatchObject({ reason: 'memory' });
  expect((result.stopped as { rssBytes: number }).rssBytes).toBeGreaterThan(300 * 1024 * 1024);
}, 60_000);
