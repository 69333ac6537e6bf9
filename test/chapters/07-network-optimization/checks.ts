// Chapter 7 checks. Every upstream is a server the check starts on 127.0.0.1
// (upstream.ts) and scripts: slow, stalled, failing, compressing. Verdicts are
// counts the upstream keeps (connections accepted, sockets open, requests
// received and still being served, bytes written) and answers compared with
// what was asked. Every wait is bounded, so code that never answers fails
// with a message instead of hanging the run.
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import { afterEach, expect } from 'vitest';
import { defineChecks } from '../../../workbook/authoring/define-checks.ts';
import { bimodalLatencies, seededRandom } from '../../support/random.ts';
import { blackhole } from './blackhole.ts';
import { jsonDocument } from './documents.ts';
import { eachLimit, plainClient, within } from './plain-client.ts';
import { eventually, readBody, startUpstream, upstreamEncoding, type Handler } from './upstream.ts';

type HttpModule = typeof import('../../../solutions/07-network-optimization/http-client.ts');
type CompressionModule = typeof import('../../../solutions/07-network-optimization/compression.ts');
type BatcherModule = typeof import('../../../solutions/07-network-optimization/batcher.ts');
type RetryModule = typeof import('../../../solutions/07-network-optimization/retry.ts');
type MetricsModule = typeof import('../../../solutions/07-network-optimization/client-metrics.ts');
type HttpClient = import('../../../solutions/07-network-optimization/http-client.ts').HttpClient;
type HttpClientOptions = import('../../../solutions/07-network-optimization/http-client.ts').HttpClientOptions;

const { check, subject } = defineChecks(7);
const { createHttpClient } = await subject<HttpModule>('http-client.ts');
const { compressBody, decompressBody } = await subject<CompressionModule>('compression.ts');
const { createBatcher } = await subject<BatcherModule>('batcher.ts');
const { withRetries, backoffDelay } = await subject<RetryModule>('retry.ts');
const { ClientMetrics } = await subject<MetricsModule>('client-metrics.ts');

// Upstreams first, then clients: a client whose request is stuck on an
// upstream cannot finish close() until that upstream drops the connection.
const upstreams: Array<() => Promise<void>> = [];
const clients: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of [...upstreams.splice(0), ...clients.splice(0)]) await within(close(), 1_000);
});

async function upstream(handler: Handler) {
  const started = await startUpstream(handler);
  upstreams.push(() => started.close());
  return started;
}

function client(origin: string, options?: HttpClientOptions): HttpClient {
  const http = createHttpClient(origin, options);
  clients.push(() => http.close());
  return http;
}

function plain(origin: string): HttpClient {
  const http = plainClient(origin);
  clients.push(() => http.close());
  return http;
}

/** Answers for the batching checks: something only the right item produces. */
const answerFor = (item: { id: number }) => ({ id: item.id, square: (item.id % 10_007) ** 2 });

// ── connection reuse ───────────────────────────────────────────────────────

check('reuses-connections', async ({ report }) => {
  const POOL = 8;
  const up = await upstream((req, res, u) => u.reply(req, res, JSON.stringify({ path: req.url })));
  const http = client(up.origin, { connections: POOL });
  const random = seededRandom(71);
  const paths = Array.from({ length: 1_000 }, (_, i) => `/items/${Math.floor(random() * 1e6)}?n=${i}`);
  const wrong: string[] = [];
  const fetchOne = async (path: string) => {
    const response = await http.request(path);
    const answer = JSON.parse(response.body.toString()) as { path: string };
    if (answer.path !== path) wrong.push(`${path} got the answer for ${answer.path}`);
  };
  // Many tools at once, each calling one request after another; bounded in
  // time too (a connection per call is slow on a busy machine), well inside
  // the engine's 12 s allowance for a silent check.
  const run = await within(eachLimit(paths, 16, fetchOne), 8_000);

  const { connections, requests } = up.stats;
  report({
    id: 'connections-per-1000-requests',
    value: connections,
    detail: `${requests} requests, 16 in flight, connections: ${POOL}`,
  });
  expect(run.timedOut, `only ${requests} of 1000 requests were answered in 8 s`).toBe(false);
  expect(run.error, 'no request should fail').toBeUndefined();
  expect(wrong.slice(0, 3), 'each call gets the answer to its own request').toEqual([]);
  expect(requests, 'requests the upstream received').toBe(1_000);
  expect(connections, `TCP connections the upstream accepted for 1000 requests with connections: ${POOL}`).toBeLessThanOrEqual(POOL);
}, { timeout: 10_000 });

check('bounds-connections', async ({ report }) => {
  const up = await upstream((req, res, u) => u.later(15, () => u.reply(req, res, '{"ok":true}')));
  const http = client(up.origin, { connections: 4 });
  const burst = await within(Promise.all(Array.from({ length: 64 }, (_, i) => http.request(`/burst/${i}`))), 3_000);
  report({ id: 'peak-open-sockets', value: up.stats.peakOpenSockets, detail: '64 concurrent calls of 15 ms, connections: 4' });
  expect(burst.timedOut, '64 calls of 15 ms were not all answered in 3 s').toBe(false);
  expect(burst.error, 'no call should fail').toBeUndefined();
  expect(burst.value!.every((a) => a.status === 200), 'every call answered').toBe(true);
  expect(up.stats.peakOpenSockets, 'sockets open at once for 64 concurrent calls with connections: 4').toBeLessThanOrEqual(4);
  expect(up.stats.peakOpenSockets, 'with 64 calls waiting, the pool should use the connections it was given').toBeGreaterThanOrEqual(2);

  await within(http.close(), 2_000);
  const open = await eventually(() => up.stats.openSockets, (n) => n === 0);
  expect(open, 'sockets still open after close(): close the pool').toBe(0);
});

// ── timeouts and cancellation ──────────────────────────────────────────────

/** An upstream whose /stall-headers never answers and whose /stall-body stops after the first bytes. */
function stallingHandler(): Handler {
  return (req, res, u) => {
    if (req.url?.startsWith('/stall-headers')) return u.later(8_000, () => u.reply(req, res, '{"late":true}'));
    if (req.url?.startsWith('/stall-body')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"results":[');
      return u.later(8_000, () => res.end(']}'));
    }
    u.reply(req, res, '{"ok":true}');
  };
}

check('times-out-each-phase', async ({ report }) => {
  const up = await upstream(stallingHandler());
  const hole = await blackhole();
  upstreams.push(() => hole.close());
  const LIMIT = 200;
  const LONG = 8_000;
  // Each scenario sets only its own phase short, so a single timer for the
  // whole call cannot pass for all three.
  const scenarios = [
    { phase: 'connect', http: client(hole.origin, { connectTimeoutMs: LIMIT, headersTimeoutMs: LONG, bodyTimeoutMs: LONG }), path: '/connect' },
    { phase: 'headers', http: client(up.origin, { connectTimeoutMs: LONG, headersTimeoutMs: LIMIT, bodyTimeoutMs: LONG }), path: '/stall-headers' },
    { phase: 'body', http: client(up.origin, { connectTimeoutMs: LONG, headersTimeoutMs: LONG, bodyTimeoutMs: LIMIT }), path: '/stall-body' },
  ];
  // undici checks its timers about every half second, so allow a few seconds.
  const outcomes = await Promise.all(scenarios.map(({ http, path }) => within(http.request(path), 3_000)));
  const held = await eventually(() => up.stats.unfinished, (n) => n === 0, 1_000);
  report({
    id: 'sockets-held-after-timeouts',
    value: held,
    detail: `after a ${LIMIT} ms connect, headers and body timeout each, upstream sockets still serving a request nobody waits for`,
  });

  scenarios.forEach(({ phase, path }, i) => {
    const outcome = outcomes[i]!;
    expect(outcome.timedOut, `${phase} timeout of ${LIMIT} ms: the caller was still waiting 3 s later`).toBe(false);
    expect(outcome.error, `${phase} timeout: the request should reject`).toBeDefined();
    const error = outcome.error as Error;
    expect(error.name, `${phase} timeout: the error’s name (${error.message})`).toBe('TimeoutError');
    expect(error.message, `${phase} timeout: the message should say which request timed out`).toContain(path);
  });
  expect(held, 'requests still holding an upstream socket after their caller got a timeout').toBe(0);
  const after = await within(scenarios[1]!.http.request('/fine'), 2_000);
  expect(after.error ?? after.timedOut, 'after a timeout the same client should still answer the next request').toBe(false);
}, { timeout: 8_000 });

check('caller-can-cancel', async () => {
  const up = await upstream(stallingHandler());
  const http = client(up.origin, { headersTimeoutMs: 8_000, bodyTimeoutMs: 8_000 });
  for (const path of ['/stall-headers', '/stall-body']) {
    const caller = new AbortController();
    const reason = new Error('the MCP client cancelled the tool call');
    setTimeout(() => caller.abort(reason), 50);
    const outcome = await within(http.request(path, { signal: caller.signal }), 1_500);
    expect(outcome.timedOut, `${path}: the caller aborted after 50 ms and was still waiting 1.5 s later`).toBe(false);
    expect(outcome.error, `${path}: an aborted call should reject`).toBeDefined();
    const error = outcome.error as Error;
    expect(error === reason || error.name === 'AbortError', `${path}: reject with the signal’s reason (got ${error.name}: ${error.message})`).toBe(true);
  }
  const held = await eventually(() => up.stats.unfinished, (n) => n === 0, 1_000);
  expect(held, 'upstream sockets still held by requests the caller cancelled').toBe(0);

  const early = await within(http.request('/never-sent', { signal: AbortSignal.abort() }), 1_000);
  expect(early.error, 'a call whose signal is already aborted should reject').toBeDefined();
  await sleep(50);
  expect(up.stats.received, 'a call whose signal is already aborted should send nothing').not.toContain('GET /never-sent');
});

// ── compression ────────────────────────────────────────────────────────────

function decodeWithZlib(body: Buffer, encoding: string): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  return body;
}

check('client-decodes', async () => {
  const documents = [jsonDocument(30_000, 1), jsonDocument(3_000, 2), jsonDocument(300, 3)];
  const asked: Array<string | undefined> = [];
  const up = await upstream((req, res, u) => {
    asked.push(req.headers['accept-encoding']);
    const index = Number(req.url?.split('/').pop());
    u.reply(req, res, documents[index]!, { negotiate: true });
  });
  const http = client(up.origin);
  for (const [i, document] of documents.entries()) {
    const before = up.stats.bodyBytes;
    const response = await http.request(`/documents/${i}`);
    expect(upstreamEncoding(asked.at(-1)), `Accept-Encoding sent: ${JSON.stringify(asked.at(-1))}; ask for br or gzip`).toBeDefined();
    expect(response.body.equals(document), `document ${i} (${document.length} bytes) should come back decoded, byte for byte`).toBe(true);
    expect(response.wireBytes, `document ${i}: wireBytes counts the body as it came over the wire`).toBe(up.stats.bodyBytes - before);
  }
});

check('negotiates-compression', async () => {
  const body = jsonDocument(16_000, 5);
  // Identity is always allowed unless refused, so a server that only does gzip
  // may answer a brotli-only client as it is. What it may never do is use a
  // coding the client refused (q=0) or did not name.
  const cases: Array<[string | undefined, string[]]> = [
    [undefined, ['identity']],
    ['', ['identity']],
    ['identity', ['identity']],
    ['gzip', ['gzip', 'identity']],
    ['br', ['br', 'identity']],
    ['deflate', ['identity']],
    ['br, gzip', ['br', 'gzip']],
    ['GZIP, BR', ['br', 'gzip']],
    ['gzip;q=0.8, br;q=0.5', ['br', 'gzip']],
    ['gzip;q=1.0, br;q=0', ['gzip', 'identity']],
    ['br;q=0, *', ['gzip', 'identity']],
    ['gzip, *;q=0', ['gzip', 'identity']],
    ['br;q=0, gzip;q=0', ['identity']],
    ['gzip;q=0.000, br;q=0.0', ['identity']],
    ['*', ['br', 'gzip', 'identity']],
    ['*;q=0', ['identity']],
  ];
  for (const [header, allowed] of cases) {
    const sent = await compressBody(body, header);
    expect(allowed, `Accept-Encoding ${JSON.stringify(header)}: compressBody chose "${sent.encoding}"`).toContain(sent.encoding);
    expect(decodeWithZlib(sent.body, sent.encoding).equals(body), `Accept-Encoding ${JSON.stringify(header)}: the body must decode back`).toBe(true);
  }
  for (const encoding of ['gzip', 'br'] as const) {
    const encoded = encoding === 'gzip' ? zlib.gzipSync(body) : zlib.brotliCompressSync(body);
    expect((await decompressBody(encoded, encoding)).equals(body), `decompressBody(…, "${encoding}")`).toBe(true);
  }
  expect((await decompressBody(body, undefined)).equals(body), 'decompressBody without a Content-Encoding returns the body').toBe(true);
  await expect(decompressBody(body, 'zstd-of-the-future'), 'an unknown Content-Encoding is an error, not garbage').rejects.toThrow();
});

check('compresses-where-it-pays', async () => {
  const random = seededRandom(23);
  for (let i = 0; i < 8; i++) {
    const small = jsonDocument(100 + Math.floor(random() * 400), 100 + i);
    const sent = await compressBody(small, 'br, gzip');
    expect(sent.encoding, `a ${small.length}-byte body should be sent as it is`).toBe('identity');
    expect(sent.body.equals(small)).toBe(true);
  }
  // Already compressed (an image, an archive): random bytes do not shrink.
  const noise = randomBytes(64 * 1024);
  const sentNoise = await compressBody(noise, 'br, gzip');
  expect(sentNoise.body.length, 'a body that does not shrink should be sent as it is, not bigger').toBeLessThanOrEqual(noise.length);
  expect(sentNoise.encoding, '64 KiB of incompressible bytes').toBe('identity');
  for (const size of [4_096, 12_000, 64_000]) {
    const document = jsonDocument(size + Math.floor(random() * 1_000), size);
    const sent = await compressBody(document, 'br, gzip');
    expect(sent.encoding, `a ${document.length}-byte JSON answer should be compressed`).not.toBe('identity');
    expect(sent.body.length, `${document.length} bytes of JSON compressed`).toBeLessThan(document.length * 0.6);
    expect(decodeWithZlib(sent.body, sent.encoding).equals(document), 'and decode back').toBe(true);
  }
});

// ── batching ───────────────────────────────────────────────────────────────

check('batches-calls', async ({ report }) => {
  const batchSizes: number[] = [];
  const random = seededRandom(77);
  const up = await upstream(async (req, res, u) => {
    const items = JSON.parse((await readBody(req)).toString()) as Array<{ id: number }>;
    batchSizes.push(items.length);
    // Batches answer out of order, so answers cannot be matched by arrival.
    u.later(Math.floor(random() * 6), () => u.reply(req, res, JSON.stringify(items.map(answerFor))));
  });
  const transport = plain(up.origin);
  const batcher = createBatcher<{ id: number }, ReturnType<typeof answerFor>>({
    maxBatch: 50,
    maxWaitMs: 10,
    async send(items) {
      const response = await transport.request('/batch', { method: 'POST', body: JSON.stringify(items) });
      return JSON.parse(response.body.toString()) as Array<ReturnType<typeof answerFor>>;
    },
  });
  const items = Array.from({ length: 1_000 }, () => ({ id: Math.floor(random() * 1e9) }));
  const calls: Array<Promise<ReturnType<typeof answerFor>>> = [];
  // Bursts of 1–40 calls, a turn of the event loop apart: tools fanning out.
  for (let next = 0; next < items.length; ) {
    const burst = 1 + Math.floor(random() * 40);
    for (let k = 0; k < burst && next < items.length; k++) calls.push(batcher.call(items[next++]!));
    await nextTurn();
  }
  const outcome = await within(Promise.all(calls), 3_000);
  report({
    id: 'batch-requests-per-1000-calls',
    value: up.stats.requests,
    detail: `batch sizes ${Math.min(...batchSizes)}–${Math.max(...batchSizes)}, maxBatch 50, maxWaitMs 10`,
  });
  expect(outcome.timedOut, 'callers still waiting 3 s after their calls').toBe(false);
  expect(outcome.error, 'no call should fail').toBeUndefined();
  const answers = outcome.value!;
  const misrouted = items.map((item, i) => (answers[i]?.id === item.id ? undefined : i)).filter((i) => i !== undefined);
  expect(misrouted.slice(0, 5), 'calls that got somebody else’s answer').toEqual([]);
  expect(answers.every((answer, i) => answer.square === answerFor(items[i]!).square)).toBe(true);
  expect(Math.max(...batchSizes), 'items in one upstream request, maxBatch 50').toBeLessThanOrEqual(50);
  expect(up.stats.requests, 'upstream requests for 1000 calls in bursts').toBeLessThanOrEqual(100);
});

check('flushes-on-timer', async () => {
  const sent: number[][] = [];
  const doubling = async (items: number[]) => {
    sent.push(items);
    return items.map((n) => n * 2);
  };
  // A long maxWaitMs here, so a stalled machine cannot fire the timer early.
  const patient = createBatcher({ maxBatch: 3, maxWaitMs: 5_000, send: doubling });
  const first = [patient.call(1), patient.call(2)];
  for (let i = 0; i < 5; i++) await nextTurn();
  expect(sent, 'two calls with maxBatch 3 should wait for a third call or for the timer, not go out at once').toEqual([]);
  first.push(patient.call(3));
  expect(await Promise.all(first)).toEqual([2, 4, 6]);
  expect(sent, 'three calls with maxBatch 3: one request').toEqual([[1, 2, 3]]);

  const batcher = createBatcher({ maxBatch: 3, maxWaitMs: 30, send: doubling });
  const lone = await within(batcher.call(21), 1_000);
  expect(lone.timedOut, 'a lone call with maxWaitMs 30 was still waiting 1 s later: nothing sends a batch that never fills').toBe(false);
  expect(lone.value).toBe(42);
  expect(sent.at(-1), 'the lone call goes out on its own').toEqual([21]);

  // A steady trickle: 8 calls 10 ms apart, far fewer than maxBatch.
  const trickle: number[][] = [];
  const slow = createBatcher({
    maxBatch: 50,
    maxWaitMs: 30,
    send: async (items: number[]) => {
      trickle.push(items);
      return items;
    },
  });
  const calls: Array<Promise<number>> = [];
  for (let i = 0; i < 8; i++) {
    calls.push(slow.call(i));
    await sleep(10);
  }
  const trickled = await within(Promise.all(calls), 1_500);
  expect(trickled.timedOut, 'a trickle of calls was still waiting 1.5 s later').toBe(false);
  expect(
    trickle.length,
    `8 calls 10 ms apart with maxWaitMs 30 went out as ${trickle.length} batch(es): the first call waited ${trickle.length === 1 ? 'for all the others' : ''}. The timer must start with the first call of a batch, not restart on each`,
  ).toBeGreaterThanOrEqual(2);

  const closing = createBatcher({ maxBatch: 50, maxWaitMs: 60_000, send: doubling });
  const last = closing.call(5);
  await within(closing.close(), 1_000);
  expect((await within(last, 500)).value, 'close() sends what is still waiting').toBe(10);
});

check('fails-whole-batch', async () => {
  const failing = createBatcher<number, number>({
    maxBatch: 4,
    maxWaitMs: 10,
    send: async () => {
      throw new Error('upstream answered 502 Bad Gateway');
    },
  });
  const failed = await within(Promise.allSettled([1, 2, 3, 4].map((n) => failing.call(n))), 1_500);
  expect(failed.timedOut, 'callers were still waiting 1.5 s after their batch failed').toBe(false);
  for (const outcome of failed.value!) {
    expect(outcome.status, 'every caller in a failed batch should get an error').toBe('rejected');
    expect(String((outcome as PromiseRejectedResult).reason?.message), 'the error should say what went wrong upstream').toContain('502');
  }

  const short = createBatcher<number, number>({
    maxBatch: 5,
    maxWaitMs: 10,
    // One answer missing: nobody can tell whose.
    send: async (items) => items.slice(1).map((n) => n * 2),
  });
  const shorted = await within(Promise.allSettled([1, 2, 3, 4, 5].map((n) => short.call(n))), 1_000);
  expect(shorted.timedOut, 'the upstream returned 4 answers for 5 calls, and callers were still waiting 1 s later').toBe(false);
  const statuses = shorted.value!.map((outcome) => outcome.status);
  expect(statuses, '4 answers for 5 calls: no answer can be trusted to be the caller’s own, so every caller should get an error').toEqual(
    Array(5).fill('rejected'),
  );
  expect(String((shorted.value![0] as PromiseRejectedResult).reason?.message ?? ''), 'the error should say what went wrong').not.toBe('');
});

// ── retries ────────────────────────────────────────────────────────────────

/** Paths that fail their first `n` requests in a given way, then answer. */
function scriptedFailures(): Handler & { hits: Map<string, number> } {
  const hits = new Map<string, number>();
  const handler: Handler = (req, res, u) => {
    const key = `${req.method} ${req.url}`;
    const hit = (hits.get(key) ?? 0) + 1;
    hits.set(key, hit);
    const path = req.url ?? '';
    if (path.startsWith('/missing')) return u.reply(req, res, '{"error":"not found"}', { status: 404 });
    if (path.startsWith('/down')) return u.reply(req, res, '{"error":"unavailable"}', { status: 503 });
    if (path.startsWith('/flaky-503') && hit <= 2) return u.reply(req, res, '{"error":"unavailable"}', { status: 503 });
    if (path.startsWith('/flaky-reset') && hit <= 2) return req.socket.destroy();
    u.reply(req, res, JSON.stringify({ ok: true, hit }));
  };
  return Object.assign(handler, { hits });
}

check('retries-idempotent', async () => {
  const script = scriptedFailures();
  const up = await upstream(script);
  const http = withRetries(plain(up.origin), { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 });
  const hits = (key: string) => script.hits.get(key) ?? 0;

  const afterBusy = await within(http.request('/flaky-503'), 2_000);
  expect(afterBusy.value?.status, 'a GET answered 503 twice, then 200').toBe(200);
  expect(hits('GET /flaky-503'), 'requests for it').toBe(3);

  const afterReset = await within(http.request('/flaky-reset'), 2_000);
  expect(afterReset.error, 'a GET whose connection was reset twice should be retried').toBeUndefined();
  expect(afterReset.value?.status).toBe(200);
  expect(hits('GET /flaky-reset'), 'requests for it').toBe(3);

  const put = await within(http.request('/flaky-503-put', { method: 'PUT', body: '{"name":"x"}' }), 2_000);
  expect(put.value?.status, 'PUT is idempotent too: retried').toBe(200);

  const missing = await within(http.request('/missing'), 2_000);
  expect(missing.value?.status).toBe(404);
  expect(hits('GET /missing'), 'a 404 will not change by asking again: requests made').toBe(1);

  await within(http.request('/down'), 3_000);
  expect(hits('GET /down'), 'an upstream that stays down, maxAttempts 4: requests in all').toBe(4);
});

check('never-retries-posts', async ({ report }) => {
  const arrivals = new Map<string, number>();
  const random = seededRandom(31);
  const failFirst = new Set<string>();
  const ids = Array.from({ length: 100 }, (_, i) => `order-${i}`);
  for (const id of ids) if (random() < 1 / 3) failFirst.add(id);
  const script = scriptedFailures();
  const up = await upstream(async (req, res, u) => {
    if (!req.url?.startsWith('/orders')) return script(req, res, u);
    await readBody(req);
    const id = String(req.headers['x-request-id']);
    const seen = (arrivals.get(id) ?? 0) + 1;
    arrivals.set(id, seen);
    // Processed, then lost: half answered 503, half cut off.
    if (seen === 1 && failFirst.has(id)) {
      if (Number(id.split('-')[1]) % 2 === 0) return u.reply(req, res, '{"error":"unavailable"}', { status: 503 });
      return req.socket.destroy();
    }
    u.reply(req, res, JSON.stringify({ id, placed: true }));
  });
  const http = withRetries(plain(up.origin), { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
  await eachLimit(ids, 10, (id) =>
    within(http.request('/orders', { method: 'POST', headers: { 'x-request-id': id, 'content-type': 'application/json' }, body: `{"order":"${id}"}` }), 2_000),
  );
  const duplicates = [...arrivals.values()].reduce((sum, n) => sum + n - 1, 0);
  report({
    id: 'non-idempotent-retries',
    value: duplicates,
    detail: `100 POSTs, ${failFirst.size} answered 503 or cut off after the upstream had them`,
  });
  expect(arrivals.size, 'every POST reached the upstream').toBe(100);
  expect(duplicates, 'POSTs the upstream received twice or more: each one is an order placed twice').toBe(0);

  const patch = await within(http.request('/flaky-503-patch', { method: 'PATCH', body: '{}' }), 2_000);
  expect(patch.value?.status, 'a PATCH answered 503 is returned as it is').toBe(503);
  expect(script.hits.get('PATCH /flaky-503-patch'), 'PATCH requests sent').toBe(1);

  const keyed = await within(
    http.request('/flaky-503-keyed', { method: 'POST', headers: { 'idempotency-key': 'order-123' }, body: '{}' }),
    2_000,
  );
  expect(keyed.value?.status, 'a POST with an Idempotency-Key may be retried: the upstream drops duplicates').toBe(200);
  expect(script.hits.get('POST /flaky-503-keyed'), 'requests for it').toBe(3);
});

check('backoff-with-jitter', async () => {
  const random = seededRandom(13);
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
  const medians: number[] = [];
  for (let attempt = 1; attempt <= 7; attempt++) {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(attempt, policy, random));
    const outside = delays.filter((d) => !(d >= 0 && d <= ceiling));
    expect(outside.slice(0, 3), `delays before retry ${attempt} outside [0, ${ceiling}] ms`).toEqual([]);
    const distinct = new Set(delays.map((d) => Math.round(d * 1_000))).size;
    expect(distinct, `1000 delays before retry ${attempt} took only ${distinct} values: with no jitter, clients that failed together retry together`).toBeGreaterThan(500);
    medians.push([...delays].sort((a, b) => a - b)[500]!);
  }
  expect(medians[2]!, 'the typical delay should grow with each attempt: median before retry 3 vs retry 1').toBeGreaterThan(medians[0]! * 2);

  // withRetries waits for those delays: drawn at the top of their range here.
  const up = await upstream((req, res, u) => u.reply(req, res, '{"error":"unavailable"}', { status: 503 }));
  const http = withRetries(plain(up.origin), { maxAttempts: 4, baseDelayMs: 40, maxDelayMs: 1_000, random: () => 0.999 });
  const started = performance.now();
  await within(http.request('/down'), 3_000);
  const waited = performance.now() - started;
  expect(up.stats.requests, 'requests with maxAttempts 4').toBe(4);
  expect(waited, 'ms spent on 4 attempts with base 40 ms and random() ≈ 1: pauses of ~40, 80 and 160 ms').toBeGreaterThanOrEqual(250);
});

// ── client metrics ─────────────────────────────────────────────────────────

check('metrics-per-host', ({ report }) => {
  const metrics = new ClientMetrics();
  const hosts = ['api.search.test', 'api.prices.test:8443', '127.0.0.1:9100'];
  const latencies = bimodalLatencies(3_000, 17);
  const random = seededRandom(19);
  const expected = hosts.map(() => ({ requests: 0, errors: 0, bytesSent: 0, bytesReceived: 0, latencies: [] as number[] }));
  for (let i = 0; i < 3_000; i++) {
    const h = i % 3;
    const url = `https://${hosts[h]}/items/${Math.floor(random() * 1e6)}?q=${i}`;
    const sample = { durationMs: latencies[i]!, ok: random() > 0.1, bytesSent: Math.floor(random() * 500), bytesReceived: Math.floor(random() * 5_000) };
    metrics.record(i % 2 === 0 ? url : new URL(url), sample);
    const e = expected[h]!;
    e.requests++;
    if (!sample.ok) e.errors++;
    e.bytesSent += sample.bytesSent;
    e.bytesReceived += sample.bytesReceived;
    e.latencies.push(sample.durationMs);
  }
  report({ id: 'metric-series-for-3-hosts', value: metrics.hosts().length, detail: '3 000 calls to 3 hosts, each with its own path and query' });
  expect([...metrics.hosts()].sort(), 'one series per host ("hostname:port")').toEqual([...hosts].sort());
  hosts.forEach((host, h) => {
    const snapshot = metrics.snapshot(host)!;
    const e = expected[h]!;
    expect(snapshot, `snapshot("${host}")`).toBeDefined();
    expect({ requests: snapshot.requests, errors: snapshot.errors, bytesSent: snapshot.bytesSent, bytesReceived: snapshot.bytesReceived }).toEqual({
      requests: e.requests,
      errors: e.errors,
      bytesSent: e.bytesSent,
      bytesReceived: e.bytesReceived,
    });
    const sorted = e.latencies.sort((a, b) => a - b);
    for (const [name, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(Math.abs(snapshot[name] - exact) / exact, `${host} ${name}: ${snapshot[name].toFixed(2)} ms vs ${exact.toFixed(2)} ms`).toBeLessThan(0.05);
    }
  });
  expect(metrics.snapshot('api.unknown.test'), 'a host never called has no snapshot').toBeUndefined();
});

check('metrics-count-errors', async () => {
  const up = await upstream((req, res, u) => {
    if (req.url?.startsWith('/fail')) return u.reply(req, res, '{"error":"unavailable"}', { status: 503 });
    if (req.url?.startsWith('/reset')) return req.socket.destroy();
    void readBody(req).then(() => u.reply(req, res, jsonDocument(600, 9)));
  });
  const metrics = new ClientMetrics();
  const http = client(up.origin, { metrics });
  const body = jsonDocument(200, 4);
  for (let i = 0; i < 20; i++) await http.request(`/ok/${i}`, { method: 'POST', body });
  for (let i = 0; i < 5; i++) await http.request(`/fail/${i}`);
  let thrown = 0;
  for (let i = 0; i < 3; i++) await http.request(`/reset/${i}`).catch(() => thrown++);
  expect(thrown, 'a reset connection should reject').toBe(3);

  const total = { requests: 0, errors: 0, bytesSent: 0, bytesReceived: 0 };
  for (const host of metrics.hosts()) {
    const s = metrics.snapshot(host)!;
    total.requests += s.requests;
    total.errors += s.errors;
    total.bytesSent += s.bytesSent;
    total.bytesReceived += s.bytesReceived;
  }
  expect(total.requests, 'requests recorded: 20 answered, 5 answered 503, 3 reset').toBe(28);
  expect(total.errors, 'errors recorded: 5 answered 503 and 3 that threw').toBe(8);
  expect(total.bytesSent, 'request body bytes sent').toBe(20 * body.length);
  expect(total.bytesReceived, 'response body bytes received').toBe(up.stats.bodyBytes);
});
