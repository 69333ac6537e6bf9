// Chapter 2 scorecard: memory retained by a collector after a million
// records, and the cost of record() against a baseline timed in the same run.
import { defineBench } from '../workbook/measure.ts';
import { interleavedRatios, median } from '../workbook/stats.ts';
import { bimodalLatencies } from '../test/support/random.ts';

type MetricsModule = typeof import('../solutions/02-benchmarking-and-metrics/metrics.ts');

const RECORDS = 1_000_000;
const TOOLS = ['search', 'status', 'create', 'delete'];

export default defineBench(2, async ({ subject, retainedBytes, report, progress }) => {
  const { MetricsCollector } = await subject<MetricsModule>('metrics.ts');
  const latencies = bimodalLatencies(4_096);
  const latencyAt = (i: number) => latencies[i & 4095]!;

  progress('memory after 10⁶ records');
  const bytes = await retainedBytes(() => {
    const metrics = new MetricsCollector();
    for (let i = 0; i < RECORDS; i++) metrics.record(TOOLS[i & 3]!, latencyAt(i), i % 50 !== 0);
    return metrics;
  });
  report({
    id: 'retained-after-1m',
    value: bytes / 1e6,
    detail: `${(bytes / RECORDS).toFixed(1)} bytes per record over ${RECORDS.toLocaleString('en-US')} records`,
  });

  progress('record() overhead');
  // #region overhead
  // The baseline is the least a collector can do: bump a per-tool counter.
  const counts = new Map<string, number>();
  const baseline = (i: number) => {
    const tool = TOOLS[i & 3]!;
    counts.set(tool, (counts.get(tool) ?? 0) + 1);
  };
  const metrics = new MetricsCollector();
  const subjectRecord = (i: number) => metrics.record(TOOLS[i & 3]!, latencyAt(i), true);
  const ratios = await interleavedRatios(baseline, subjectRecord, { rounds: 21, callsPerRound: 10_000 });
  // #endregion overhead
  report({
    id: 'record-overhead',
    value: median(ratios),
    detail: `median of ${ratios.length} interleaved rounds of 10 000 calls (spread ${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}×)`,
  });
});
