// Chapter 1 scorecard: latency of cached and uncached queries and of status,
// graded on percentiles, on their ratio, and on the hit rate counted by the
// instrumented lookup.
import { defineBench } from '../workbook/measure.ts';
import { countingLookup } from '../test/support/fakes.ts';
import { callTool, connect } from '../test/support/mcp.ts';

type SearchModule = typeof import('../solutions/01-performance-philosophy/search-server.ts');

/** What one upstream lookup costs: a realistic search-index round trip. */
const LOOKUP_MS = 60;
const DISTINCT_QUERIES = 12;

export default defineBench(1, async ({ subject, latency, report, progress }) => {
  const { createSearchServer } = await subject<SearchModule>('search-server.ts');
  const upstream = countingLookup(LOOKUP_MS);
  const client = await connect(createSearchServer({ lookup: upstream.lookup, logSlow: () => {} }));
  const search = async (query: string) => {
    const result = await callTool(client, 'search', { query });
    if (result.isError) throw new Error(`search "${query}" failed: ${result.text}`);
  };

  progress('uncached queries');
  let fresh = 0;
  const uncached = await latency('uncached', () => search(`query ${fresh++}`), {
    iterations: DISTINCT_QUERIES,
    maxTimeMs: 10_000,
  });
  report({ id: 'uncached-latency', summary: uncached, detail: `${uncached.n} first-time queries, lookup takes ${LOOKUP_MS} ms` });

  progress('repeated queries');
  const lookupsBefore = upstream.calls.length;
  let repeat = 0;
  const cached = await latency('cached', () => search(`query ${repeat++ % DISTINCT_QUERIES}`), {
    iterations: 500,
    // Enough for a cache (500 samples in ~50 ms); a starter that waits 60 ms a
    // call stops here with a dozen samples, every one over the target.
    maxTimeMs: 700,
  });
  const lookups = upstream.calls.length - lookupsBefore;
  report({ id: 'cached-latency', summary: cached, detail: `${cached.n} repeats of ${DISTINCT_QUERIES} queries already seen` });
  report({
    id: 'repeat-hit-rate',
    value: 1 - lookups / repeat,
    detail: `${repeat} repeated queries caused ${lookups} lookups`,
  });
  report({ id: 'cached-vs-uncached', value: cached.p50 / uncached.p50, detail: `median ${cached.p50.toFixed(2)} ms vs ${uncached.p50.toFixed(1)} ms` });

  progress('status');
  const status = await latency('status', () => callTool(client, 'status'), {
    iterations: 300,
    warmupIterations: 20,
    maxTimeMs: 1_500,
  });
  report({ id: 'status-latency', summary: status });
  await client.close();
});
