// The benchmark's load: N keep-alive connections (undici Pool), each sending
// the same tools/call as soon as the last one answers, for a fixed time;
// latencies in microseconds into an HDR histogram. One in 500 answers is
// parsed to make sure it is a result, not an error.
import * as hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { sendOnSchedule } from '../loadtest/schedule.ts';

export interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  calls: number;
  errors: number;
  firstError?: string;
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };

export function lookupCall(id: number, key: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'lookup', arguments: { key } } });
}

/** One call, parsed: the lookup's text, or throws with what came back. Retries while the port is not open yet. */
export async function probe(url: string, attempts = 50): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await probeOnce(url);
    } catch (error) {
      if (attempt >= attempts || !/ECONNREFUSED/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function probeOnce(url: string): Promise<string> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1 });
  try {
    const response = await pool.request({ path: target.pathname, method: 'POST', headers: HEADERS, body: lookupCall(1, 'item-42') });
    const text = await response.body.text();
    const data = text.startsWith('event:') || text.includes('\ndata: ') ? text.split('\n').find((l) => l.startsWith('data: '))!.slice(6) : text;
    const message = JSON.parse(data);
    const answer = message?.result?.content?.[0]?.text;
    if (response.statusCode !== 200 || typeof answer !== 'string' || !answer.includes('item-42')) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
    return answer;
  } finally {
    await pool.close();
  }
}

/** A latency histogram in microseconds, from 1 µs to 60 s. */
const latencyHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

/**
 * A keep-alive pool sending the benchmark's lookup call, cycling through 64
 * keys. `send(n)` throws unless the answer is a 200; with `verify` it also
 * reads the body and throws unless it is a JSON-RPC result.
 */
function lookupSender(url: string, connections: number) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const bodies = Array.from({ length: 64 }, (_, i) => Buffer.from(lookupCall(i + 1, `item-${(i * 157) % 10_000}`)));
  return {
    pool,
    async send(n: number, verify = false): Promise<void> {
      const response = await pool.request({ path: target.pathname, method: 'POST', headers: HEADERS, body: bodies[n % bodies.length]! });
      if (verify) {
        const text = await response.body.text();
        if (!text.includes('"result"')) throw new Error(text.slice(0, 200));
      } else await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
    },
  };
}

/** Counts calls and errors and times the successful ones (µs, from `since`). */
function loadRecorder() {
  const latency = latencyHistogram();
  const tally = { calls: 0, errors: 0, firstError: undefined as string | undefined };
  return {
    tally,
    latency,
    async time(call: Promise<void>, since: number): Promise<void> {
      try {
        await call;
        latency.recordValue(Math.max(1, Math.round((performance.now() - since) * 1000)));
      } catch (error) {
        tally.errors++;
        tally.firstError ??= (error as Error).message;
      }
      tally.calls++;
    },
    result(elapsedMs: number): LoadResult {
      return {
        perSecond: Math.round((tally.calls * 1000) / elapsedMs),
        p50: latency.getValueAtPercentile(50) / 1000,
        p99: latency.getValueAtPercentile(99) / 1000,
        calls: tally.calls,
        errors: tally.errors,
        firstError: tally.firstError,
      };
    },
  };
}

export async function closedLoad(url: string, connections: number, durationMs: number): Promise<LoadResult> {
  const sender = lookupSender(url, connections);
  const recorder = loadRecorder();
  const started = performance.now();
  const until = started + durationMs;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      for (let n = worker; performance.now() < until; n++) {
        const sent = performance.now();
        await recorder.time(sender.send(n, n % 500 === 0), sent);
      }
    }),
  );
  const elapsed = performance.now() - started;
  await sender.pool.close();
  return recorder.result(elapsed);
}

export interface OpenLoadResult extends LoadResult {
  /** The rate asked for. */
  rate: number;
  p999: number;
}

/**
 * Open loop: `rate` calls a second on the load test's schedule
 * (../loadtest/schedule.ts), each latency counted from when the call was due.
 * Bounded: rate × duration calls, and answers awaited ≤ 10 s past the duration.
 */
export async function openLoad(url: string, rate: number, durationMs: number, connections = 64): Promise<OpenLoadResult> {
  const sender = lookupSender(url, connections);
  const recorder = loadRecorder();
  const pending = new Set<Promise<void>>();
  const started = await sendOnSchedule(rate, durationMs, (n, dueAt) => {
    const call = recorder.time(sender.send(n), dueAt);
    pending.add(call);
    void call.finally(() => pending.delete(call));
  });
  const hardStop = started + durationMs + 10_000;
  await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, Math.max(0, hardStop - performance.now())).unref())]);
  const elapsed = performance.now() - started;
  await sender.pool.destroy();
  return { ...recorder.result(elapsed), rate, p999: recorder.latency.getValueAtPercentile(99.9) / 1000 };
}

/**
 * Exactly `count` calls from `connections` closed-loop callers (or until
 * `timeoutMs`), calling `sample(done)` every `every` calls: RSS over a fixed
 * number of requests rather than a fixed time.
 */
export async function countedLoad(url: string, connections: number, count: number, timeoutMs: number, every: number, sample: (done: number) => void): Promise<{ calls: number; errors: number; ms: number }> {
  const sender = lookupSender(url, connections);
  const recorder = loadRecorder();
  let next = 0;
  const started = performance.now();
  const until = started + timeoutMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count && performance.now() < until) {
        await recorder.time(sender.send(next++), performance.now());
        if (recorder.tally.calls % every === 0) sample(recorder.tally.calls);
      }
    }),
  );
  await sender.pool.close();
  return { calls: recorder.tally.calls, errors: recorder.tally.errors, ms: performance.now() - started };
}
