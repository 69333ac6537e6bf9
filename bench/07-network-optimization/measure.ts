// Chapter 7 scorecard: what the learner's client and compression cost against
// a baseline measured in the same run. Throughput is the median of
// interleaved rounds against a new connection per call; bytes on the wire are
// counted by the local upstream (deterministic: same seeded answers, same
// compressors); compression is weighed in CPU time against gzip level 6.
// The counts (connections, sockets, batches, duplicates, series) are reported
// by the checks whose scenarios produce them.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { interleavedRatios, median } from '../../workbook/authoring/stats.ts';
import { interleavedCpuRatio } from '../../test/chapters/07-network-optimization/cpu-time.ts';
import { answerSizes, jsonDocument } from '../../test/chapters/07-network-optimization/documents.ts';
import { eachLimit, getOnNewConnection, mustFinish, plainClient } from '../../test/chapters/07-network-optimization/plain-client.ts';
import { startUpstream } from '../../test/chapters/07-network-optimization/upstream.ts';

type HttpModule = typeof import('../../solutions/07-network-optimization/http-client.ts');
type CompressionModule = typeof import('../../solutions/07-network-optimization/compression.ts');

const POOL = 8;
const IN_FLIGHT = 16;
const REQUESTS_PER_ROUND = 100;
const ROUNDS = 9;
const WIRE_ANSWERS = 60;
const CPU_ANSWERS = 40;
const CPU_ROUNDS = 5;

const gzip = promisify(zlib.gzip);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export default defineMeasurements(7, async ({ subject, report, progress }) => {
  const { createHttpClient } = await subject<HttpModule>('http-client.ts');
  const { compressBody } = await subject<CompressionModule>('compression.ts');

  progress('throughput against a new connection per call');
  {
    const answer = jsonDocument(400, 1);
    const up = await startUpstream((req, res, u) => u.reply(req, res, answer));
    const http = createHttpClient(up.origin, { connections: POOL });
    try {
      const paths = Array.from({ length: REQUESTS_PER_ROUND }, (_, i) => `/items/${i}`);
      let baselineConnections = 0;
      let round = 0;
      const ratios = await mustFinish(
        interleavedRatios(
          async () => {
            // One line per round: a slow client shows progress instead of silence.
            progress(`throughput against a new connection per call, round ${++round}`);
            const before = up.stats.connections;
            await eachLimit(paths, IN_FLIGHT, (path) => getOnNewConnection(up.origin, path));
            baselineConnections += up.stats.connections - before;
          },
          () => eachLimit(paths, IN_FLIGHT, (path) => http.request(path)),
          { rounds: ROUNDS },
        ),
        60_000,
        'the throughput rounds',
      );
      const connections = up.stats.connections - baselineConnections;
      report({
        id: 'pooled-vs-new-connection',
        value: 1 / median(ratios),
        detail: `median of ${ROUNDS} interleaved rounds of ${REQUESTS_PER_ROUND} requests, ${IN_FLIGHT} in flight; your client (connections: ${POOL}) opened ${connections} connections for ${(ROUNDS + 1) * REQUESTS_PER_ROUND} requests`,
      });
    } finally {
      await http.close();
      await up.close();
    }
  }

  progress('bytes on the wire');
  {
    const answers = answerSizes(WIRE_ANSWERS, 71).map((size, i) => jsonDocument(size, 7_000 + i));
    const up = await startUpstream((req, res, u) => u.reply(req, res, answers[Number(req.url?.split('/').pop())]!, { negotiate: true }));
    const http = createHttpClient(up.origin, { connections: POOL });
    const plain = plainClient(up.origin, POOL);
    try {
      const fetchAll = async (client: typeof plain) => {
        const before = up.stats.bytesWritten;
        for (let i = 0; i < answers.length; i++) await client.request(`/answers/${i}`);
        return up.stats.bytesWritten - before;
      };
      const uncompressed = await mustFinish(fetchAll(plain), 20_000, 'fetching the answers uncompressed');
      const yours = await mustFinish(fetchAll(http), 20_000, 'fetching the answers with your client');
      const raw = answers.reduce((sum, a) => sum + a.length, 0);
      report({
        id: 'response-wire-bytes',
        value: yours / uncompressed,
        detail: `${WIRE_ANSWERS} answers of ${kb(raw)} (sizes 100 B–${kb(Math.max(...answers.map((a) => a.length)))}): ${kb(uncompressed)} on the wire uncompressed, ${kb(yours)} with your client; ${kb(uncompressed - yours)} saved`,
      });
    } finally {
      await http.close();
      await plain.close();
      await up.close();
    }
  }

  progress('compression CPU');
  {
    const mix = answerSizes(CPU_ANSWERS, 29).map((size, i) => jsonDocument(size, 9_000 + i));
    const raw = mix.reduce((sum, a) => sum + a.length, 0);
    let round = 0;
    let yours = 0;
    let gzipped = 0;
    for (const answer of mix) {
      yours += (await compressBody(answer, 'br, gzip')).body.length;
      gzipped += (await gzip(answer, { level: 6 })).length;
    }
    const { ratio, baselineMicros, subjectMicros } = await mustFinish(
      interleavedCpuRatio(
        async () => {
          for (const answer of mix) await gzip(answer, { level: 6 });
        },
        async () => {
          progress(`compression CPU, round ${++round}`);
          for (const answer of mix) await compressBody(answer, 'br, gzip');
        },
        CPU_ROUNDS,
      ),
      60_000,
      'the compression rounds',
    );
    const perAnswer = (micros: number) => `${(micros / CPU_ANSWERS).toFixed(0)} µs`;
    report({
      id: 'compression-cpu-vs-gzip',
      value: ratio,
      detail: `${CPU_ANSWERS} answers, ${kb(raw)}: ${perAnswer(subjectMicros)} CPU per answer vs ${perAnswer(baselineMicros)} for gzip 6; output ${((yours / raw) * 100).toFixed(0)} % of input (gzip 6 on everything: ${((gzipped / raw) * 100).toFixed(0)} %)`,
    });
  }
});
