// A demonstration for the lesson's runtime-tuning section, not part of the
// scorecard: how long one fs.stat waits when CPU work fills libuv's thread
// pool. Run it twice and compare:
//   npx tsx bench/03-async-optimization/threadpool.ts
//   UV_THREADPOOL_SIZE=8 npx tsx bench/03-async-optimization/threadpool.ts
// #region demo
import { pbkdf2 } from 'node:crypto';
import { stat } from 'node:fs/promises';

const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
// Four slow password hashes: exactly enough to occupy the default pool of 4.
for (let i = 0; i < 4; i++) pbkdf2('secret', 'salt', 200_000, 64, 'sha512', () => {});

// fs, dns.lookup, zlib and async crypto all share that pool: this stat queues
// behind the hashes unless the pool has a free thread.
const started = performance.now();
await stat('.');
console.log(`pool of ${poolSize}: fs.stat waited ${(performance.now() - started).toFixed(0)} ms`);
// #endregion demo
