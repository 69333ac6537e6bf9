// Drives a server process through a shutdown and counts what happened to
// every request: the child notes each request its server accepted and when
// the signal arrived; the clients here note each request's outcome. A request
// is lost if the server accepted it before SIGTERM and the client did not get
// its answer. The child holds one query per client open until the signal, so
// the signal always finds work in flight, however slow the machine is.
// Bounded: clients stop at their first refusal after the signal,
// and the child is killed if it outlives the deadline.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpAgent, openSession, resultText, type McpSession } from './http-client.ts';
import { redisDatabase, serviceUrl } from '../../../workbook/backends/services.ts';
import { learnerDir } from './learner.ts';

const CHILD = path.join(import.meta.dirname, 'shutdown-child.ts');

export interface ShutdownScenario {
  /** Concurrent clients calling the report tool back to back. */
  clients: number;
  /** Also start one call that would take a minute, and count on the drain deadline. */
  stuckCall?: boolean;
  drainTimeoutMs: number;
  /** The child is killed this long after the signal if it has not exited. */
  exitDeadlineMs: number;
  queryMs?: number;
  /** Key prefix for the child's Redis keys (the harness's, in real mode). */
  prefix: string;
}

interface Note {
  t: number;
  event: string;
  seq?: number;
  code?: number;
  queriesRunning?: number;
  reportsRunning?: number;
  held?: number;
}

export interface ShutdownOutcome {
  exitCode: number | null;
  /** Killed by us at the deadline. */
  killed: boolean;
  /** From SIGTERM to the process's exit, ms. */
  exitAfterMs: number;
  sent: number;
  succeeded: number;
  acceptedBeforeSignal: number;
  /** Queries the child held open when the signal came (one per client unless the server stalled). */
  heldAtSignal: number;
  /** Accepted before the signal, not answered. */
  lost: number;
  /** Refused or reset after the signal without having been accepted: a load balancer retries these. */
  refusedAfterSignal: number;
  databaseClosed?: Note;
  redisClosed?: Note;
  stuck?: { status: string };
  stderr: string;
}

interface Attempt {
  seq: number;
  sentAt: number;
  ok?: boolean;
  error?: string;
}

export async function runShutdown(scenario: ShutdownScenario): Promise<ShutdownOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wb10-shutdown-'));
  const reportFile = path.join(dir, 'notes.jsonl');
  const redisUrl = serviceUrl('redis');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      // The harness's database on a shared server (the engine keeps that setting from the code under test).
      ...(redisUrl ? { REDIS_URL: redisUrl, SHUTDOWN_REDIS_DB: String(redisDatabase(redisUrl)) } : {}),
      SHUTDOWN_REPORT: reportFile,
      SHUTDOWN_LEARNER_DIR: learnerDir(),
      SHUTDOWN_PREFIX: scenario.prefix,
      SHUTDOWN_DRAIN_MS: String(scenario.drainTimeoutMs),
      SHUTDOWN_QUERY_MS: String(scenario.queryMs ?? 150),
      SHUTDOWN_HOLD_AFTER: String(scenario.clients * 2),
      SHUTDOWN_HOLD_COUNT: String(scenario.clients),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  const agent = httpAgent(scenario.clients + 4);
  let killed = false;
  try {
    const url = await readyUrl(child, exited, () => stderr);
    const allHeld = lineFrom(child, /^HELD$/m);
    const attempts: Attempt[] = [];
    let seq = 0;
    let signalAt = Infinity;
    let childGone = false;
    void exited.then(() => (childGone = true));

    const sessions: McpSession[] = [];
    for (let i = 0; i < scenario.clients; i++) sessions.push(await openSession(agent, url, { 'x-client-id': `client-${i}` }));

    const call = async (session: McpSession, tool: string): Promise<Attempt> => {
      const attempt: Attempt = { seq: seq++, sentAt: Date.now() };
      attempts.push(attempt);
      try {
        const response = await session.call(tool, {}, {
          signal: AbortSignal.timeout(scenario.exitDeadlineMs + 5_000),
          headers: { 'x-seq': String(attempt.seq) },
        });
        attempt.ok = resultText(response) !== undefined;
        if (!attempt.ok) attempt.error = `HTTP ${response.status} ${response.text.slice(0, 120)}`;
      } catch (error) {
        attempt.ok = false;
        attempt.error = (error as Error).message;
      }
      return attempt;
    };

    let stuck: Promise<Attempt> | undefined;
    if (scenario.stuckCall) stuck = call(sessions[0]!, 'stuck');
    const client = async (session: McpSession) => {
      for (;;) {
        const attempt = await call(session, 'report');
        // After the signal, a refusal means this client would go to another instance.
        if (!attempt.ok && attempt.sentAt >= signalAt) return;
        if (childGone || Date.now() > signalAt + scenario.exitDeadlineMs) return;
        if (!attempt.ok) await sleep(20);
      }
    };
    const clients = sessions.map(client);

    // Every client's request is held in the server's pool: signal now. A server
    // that never gets there is signalled anyway and judged on what it did.
    const giveUp = new AbortController();
    await Promise.race([allHeld, sleep(20_000, undefined, { signal: giveUp.signal }).catch(() => {}), exited]);
    giveUp.abort();
    signalAt = Date.now();
    child.kill('SIGTERM');

    const deadline = sleep(scenario.exitDeadlineMs, 'deadline' as const);
    const first = await Promise.race([exited, deadline]);
    if (first === 'deadline') {
      killed = true;
      child.kill('SIGKILL');
    }
    const exit = await exited;
    await Promise.all(clients);
    const stuckAttempt = stuck ? await stuck : undefined;

    const notes = readNotes(reportFile);
    // Notes are appended in the order things happened in the child.
    const signalIndex = notes.findIndex((n) => n.event === 'signal');
    const beforeSignal = signalIndex < 0 ? notes : notes.slice(0, signalIndex);
    const acceptedBefore = new Set(beforeSignal.filter((n) => n.event === 'accepted').map((n) => n.seq!));
    const bySeq = new Map(attempts.map((a) => [a.seq, a]));
    const lost = [...acceptedBefore].filter((s) => bySeq.get(s)?.ok !== true && bySeq.get(s) !== stuckAttempt);
    const refusedAfter = attempts.filter((a) => !a.ok && a.sentAt >= signalAt && !acceptedBefore.has(a.seq));
    return {
      exitCode: exit.code,
      killed,
      exitAfterMs: exit.at - signalAt,
      sent: attempts.length,
      succeeded: attempts.filter((a) => a.ok).length,
      acceptedBeforeSignal: acceptedBefore.size,
      heldAtSignal: notes[signalIndex]?.held ?? 0,
      lost: lost.length,
      refusedAfterSignal: refusedAfter.length,
      databaseClosed: notes.find((n) => n.event === 'database-closed'),
      redisClosed: notes.find((n) => n.event === 'redis-closed'),
      ...(stuckAttempt ? { stuck: { status: stuckAttempt.ok ? 'answered' : (stuckAttempt.error ?? 'failed') } } : {}),
      stderr,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await agent.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The URL the child prints once it listens. */
async function readyUrl(
  child: ReturnType<typeof spawn>,
  exited: Promise<unknown>,
  stderr: () => string,
): Promise<string> {
  const ready = lineFrom(child, /READY (\S+)/).then((match) => match[1]!);
  const failed = exited.then(() => {
    throw new Error(`the server process exited before it listened:\n${stderr().slice(-1500)}`);
  });
  const timeout = sleep(30_000).then(() => {
    throw new Error('the server process did not start listening within 30 s');
  });
  return Promise.race([ready, failed, timeout]);
}

/** Resolves with the first match of `pattern` in what the child prints from now on. */
function lineFrom(child: ReturnType<typeof spawn>, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match);
      }
    };
    child.stdout!.on('data', onData);
  });
}

function readNotes(file: string): Note[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Note);
  } catch {
    return [];
  }
}
