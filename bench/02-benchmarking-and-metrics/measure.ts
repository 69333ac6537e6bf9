// Chapter 2 scorecard: the cost of record() against a baseline timed in the
// same run. (Memory after a day of traffic is weighed by the a-day-of-traffic
// check, which drives a fake clock through 24 hours.)
import { defineMeasurements } from '../../workbook/authoring/define-measurements.ts';
import { interleavedRatios, median } from '../../workbook/authoring/stats.ts';
import { inputs } from '../../test/support/random.ts';

type MetricsModule = typeof import('../../solutions/02-benchmarking-and-metrics/metrics.ts');

export default defineMeasurements(2, async ({ subject, report, progress }) => {
  const { MetricsCollector } = await subject<MetricsModule>('metrics.ts');
  const input = inputs();
  const TOOLS = [input.word(), input.word() + '_1', input.word() + '_2', input.word() + '_3'];
  const latencies = Float64Array.from({ length: 4_096 }, () => (input.random() < 0.9 ? input.between(1, 9) : input.between(100, 300)));
  const latencyAt = (i: number) => latencies[i & 4095]!;

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
  const ratios = await interleavedRatios(baseline, subjectRecord, { rounds: 41, callsPerRound: 1_000 });
  // #endregion overhead
  report({
    id: 'record-overhead',
    value: median(ratios),
    detail: `median of ${ratios.length} interleaved rounds of 1 000 calls (spread ${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}×)`,
  });
});
