// Where a learner stands on every chapter, from the results they have saved.
import { chapters } from '../manifest.ts';
import { loadHistory } from './results.ts';
import type { ChapterSpec, Scorecard } from '../types.ts';

export type ChapterStatus = 'not started' | 'failing' | 'passing';

export interface ChapterProgress {
  number: number;
  slug: string;
  title: string;
  status: ChapterStatus;
  runs: number;
  lastRun?: string;
  checksPassed: number;
  checksTotal: number;
  /** Best figure seen per metric across every run, judged by its target's direction. */
  best: Record<string, { measured: number; unit: string; met: boolean }>;
}

export async function chapterProgress(chapter: ChapterSpec): Promise<ChapterProgress> {
  return progressFrom(chapter, await loadHistory(chapter, 'chapters'));
}

/** Progress from a learner's saved runs (oldest first); the site calls this too. */
export function progressFrom(chapter: ChapterSpec, history: Scorecard[]): ChapterProgress {
  const last = history.at(-1);
  return {
    number: chapter.number,
    slug: chapter.slug,
    title: chapter.title,
    status: !last ? 'not started' : last.verdict === 'pass' ? 'passing' : 'failing',
    runs: history.length,
    ...(last ? { lastRun: last.startedAt } : {}),
    checksPassed: last ? last.checks.filter((c) => c.verdict === 'pass').length : 0,
    checksTotal: chapter.checks.length,
    best: bestFigures(chapter, history),
  };
}

export function bestFigures(chapter: ChapterSpec, history: Scorecard[]): ChapterProgress['best'] {
  const best: ChapterProgress['best'] = {};
  for (const spec of chapter.metrics) {
    const lowerIsBetter = spec.target.op === '<' || spec.target.op === '<=';
    for (const card of history) {
      const metric = card.metrics.find((m) => m.id === spec.id);
      if (metric?.measured === undefined) continue;
      const current = best[spec.id];
      const better = !current || (lowerIsBetter ? metric.measured < current.measured : metric.measured > current.measured);
      if (better) best[spec.id] = { measured: metric.measured, unit: spec.unit, met: metric.verdict === 'pass' };
    }
  }
  return best;
}

export function allProgress(): Promise<ChapterProgress[]> {
  return Promise.all(chapters.map(chapterProgress));
}
