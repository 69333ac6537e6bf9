// Real PostgreSQL and Redis: a misconfigured URL is named within seconds, by
// asking in the service's own protocol; a password never reaches the screen or
// a results file; a run stopped mid-check leaves no schema and no key behind;
// chapter code on a shared Redis only reaches the workbook's own database.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { DEFAULT_REDIS_DB, maskSecrets, printableUrl, probeService, reachable, realServiceUrl } from '../../workbook/backends/services.ts';
import { learnerFixture, scoreJson, testResultsDir } from '../support/cli.ts';

const postgresUrl = realServiceUrl('postgres');
const redisUrl = realServiceUrl('redis');
const postgresPort = new URL(postgresUrl).port || '5432';
const redisPort = new URL(redisUrl).port || '6379';

test('the pre-check asks in the service’s own protocol and names a wrong URL within 3 s', async () => {
  const cases: Array<['postgres' | 'redis', string]> = [
    // PostgreSQL's URL on Redis's port, and the other way round: a TCP connect succeeds for both.
    ['postgres', `postgres://postgres@127.0.0.1:${redisPort}/test`],
    ['redis', `redis://127.0.0.1:${postgresPort}`],
    ['postgres', 'postgres://'],
    ['postgres', 'http://127.0.0.1:5432/test'],
  ];
  for (const [service, url] of cases) {
    const started = performance.now();
    const problem = await probeService(service, url);
    const seconds = (performance.now() - started) / 1000;
    expect(problem, `${service} at ${url}`).toBeTruthy();
    expect(seconds, `${service} at ${url}: ${problem}`).toBeLessThan(3);
  }
}, 30_000);

test('passwords are masked in URLs and wherever they appear alone', () => {
  expect(printableUrl('postgres://u:s3cret@db.example:5432/app')).toBe('postgres://u:***@db.example:5432/app');
  expect(maskSecrets('connect to redis://:hunter22@10.0.0.1:6379/0 failed')).toBe('connect to redis://:***@10.0.0.1:6379/0 failed');
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = 'postgres://app:pa55word@127.0.0.1:1/app';
  try {
    expect(maskSecrets('password authentication failed ("pa55word")')).toBe('password authentication failed ("***")');
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
});

test('a wrong DATABASE_URL is one service problem, quickly, and its password is on no scorecard and in no results file', async () => {
  const secret = `s3cret${randomBytes(4).toString('hex')}`;
  const started = Date.now();
  const { run, card } = await scoreJson(5, 'solutions', { DATABASE_URL: `postgres://u:${secret}@127.0.0.1:${redisPort}/test` });
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(card.problems).toEqual([expect.objectContaining({ kind: 'service', message: expect.stringMatching(/^DATABASE_URL=postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/test is set, but PostgreSQL did not answer there/) })]);
  expect(run.stdout + run.stderr).not.toContain(secret);
  const saved = readdirSync(path.join(testResultsDir, card.chapter.slug)).map((f) => readFileSync(path.join(testResultsDir, card.chapter.slug, f), 'utf8'));
  expect(saved.length).toBeGreaterThan(0);
  for (const text of saved) expect(text).not.toContain(secret);
}, 60_000);

test('a real service that is down is named, with what to do, before any check runs', async () => {
  const { run, card } = await scoreJson(6, 'solutions', { REDIS_URL: 'redis://127.0.0.1:1' });
  expect(run.code).toBe(1);
  expect(card.problems).toEqual([
    expect.objectContaining({ kind: 'service', message: expect.stringMatching(/^REDIS_URL=redis:\/\/127\.0\.0\.1:1 is set, but Redis did not answer there/) }),
  ]);
}, 30_000);

const postgresUp = await reachable(postgresUrl);
const redisUp = await reachable(redisUrl);
const unavailable = [!postgresUp && `PostgreSQL at ${postgresUrl}`, !redisUp && `Redis at ${redisUrl}`].filter(Boolean).join(', ');
if (unavailable && !process.env.CI) console.warn(`⚠ real-service tests skipped: unreachable ${unavailable}`);

describe.skipIf(Boolean(unavailable) && !process.env.CI)('on real services', () => {
  test('a check stopped mid-way on PostgreSQL leaves no schema behind, and the check that hung is the one named', async () => {
    const namespace = `t${randomBytes(5).toString('hex')}`;
    const learner = learnerFixture(5);
    learner.write(
      'repository.ts',
      learner.read('repository.ts').replace("const { rows } = await db.query<User>('SELECT id, username, email FROM users WHERE id = ANY($1::int[])'", "for (;;) {}\n  const { rows } = await db.query<User>('SELECT id, username, email FROM users WHERE id = ANY($1::int[])'"),
    );
    const { card } = await scoreJson(5, 'chapters', { ...learner.env, DATABASE_URL: postgresUrl, WORKBOOK_NAMESPACE: namespace }, ['--checks-only']).finally(
      learner.remove,
    );
    expect(card.problems.find((p) => p.kind === 'timeout')?.message).toMatch(/^check "loads-in-one-query" did not finish/);
    expect(card.checks.find((c) => c.id === 'logs-slow-queries')?.verdict).toBe('pass');
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`wb5\\_${namespace}\\_%`]);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  }, 180_000);

  test('a check stopped mid-way on Redis leaves no key behind', async () => {
    const namespace = `t${randomBytes(5).toString('hex')}`;
    const learner = learnerFixture(6);
    learner.write(
      'multi-level-cache.ts',
      learner.read('multi-level-cache.ts').replace(
        "l1.set(key, value);\n    await safely(() => redis.set(key, value, 'EX', l2TtlSeconds));\n    return value;",
        "l1.set(key, value);\n    await safely(() => redis.set(key, value, 'EX', l2TtlSeconds));\n    for (;;) {}",
      ),
    );
    const { card } = await scoreJson(6, 'chapters', { ...learner.env, REDIS_URL: redisUrl, WORKBOOK_NAMESPACE: namespace }, ['--checks-only']).finally(
      learner.remove,
    );
    expect(card.problems.find((p) => p.kind === 'timeout')?.message).toMatch(/did not finish/);
    for (const db of [0, DEFAULT_REDIS_DB]) {
      const client = new Redis(redisUrl, { db, lazyConnect: true });
      await client.connect();
      try {
        expect(await client.keys(`wb6:${namespace}:*`), `database ${db}`).toEqual([]);
      } finally {
        client.disconnect();
      }
    }
  }, 180_000);

  test('chapter code on a shared Redis works in the workbook’s own database, never in database 0', async () => {
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = redisUrl;
    const { redisHarness } = await import('../../workbook/backends/redis.ts');
    const harness = await redisHarness();
    const db0 = new Redis(redisUrl, { db: 0, lazyConnect: true });
    try {
      await db0.connect();
      const key = `${harness.prefix}where-am-i`;
      const learnerConnection = harness.connect('commands');
      await learnerConnection.set(key, 'here');
      expect(learnerConnection.options.db).toBe(DEFAULT_REDIS_DB);
      expect(await harness.inspect.get(key)).toBe('here');
      expect(await db0.exists(key), 'the key must not be in database 0').toBe(0);
      // What the starter's KEYS sees: only the workbook's database.
      expect(await learnerConnection.keys(`${harness.prefix}*`)).toEqual([key]);
    } finally {
      await harness.cleanup();
      db0.disconnect();
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  }, 30_000);
});
