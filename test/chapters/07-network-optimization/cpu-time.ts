// CPU time, not wall time, for work that is all computation: the process's
// user + system time (libuv's thread pool included) is what the work costs,
// and other programs on the machine do not add to it.
import { median } from '../../../workbook/authoring/stats.ts';

async function cpuMicros(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/**
 * subject ÷ baseline CPU time, in alternating rounds (which side goes first
 * alternates too), after one untimed round each; the median of the rounds.
 */
export async function interleavedCpuRatio(
  baseline: () => Promise<unknown>,
  subject: () => Promise<unknown>,
  rounds: number,
): Promise<{ ratio: number; baselineMicros: number; subjectMicros: number }> {
  await baseline();
  await subject();
  const ratios: number[] = [];
  const baselines: number[] = [];
  const subjects: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    const a = first ? await cpuMicros(baseline) : 0;
    const b = await cpuMicros(subject);
    const base = first ? a : await cpuMicros(baseline);
    baselines.push(base);
    subjects.push(b);
    ratios.push(b / Math.max(1, base));
  }
  return { ratio: median(ratios), baselineMicros: median(baselines), subjectMicros: median(subjects) };
}
