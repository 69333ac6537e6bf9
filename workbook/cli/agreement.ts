// npm run agreement -- [chapter…|all] [--runs 20] [--tree both|chapters|solutions] [--hogs N]
//
// Scores the same code K times and reports how many verdicts agreed. A verdict
// here is the exact set of failed checks and targets, not just pass/fail, so a
// metric that flips on a noisy run shows up. --hogs N keeps N processes
// spinning beside the runs (--hog is --hogs 1), the way a shared CI machine or
// a laptop with a build running would: --hogs 2 on 2 cores leaves the runs no
// core of their own.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findChapter } from '../find-chapter.ts';
import { bold, green, red } from './format.ts';
import { failedIds } from '../grading/grade.ts';
import { chapters } from '../manifest.ts';
import { relative, workbookDir } from '../paths.ts';
import { runChapter, stopAllRuns } from '../running/run-chapter.ts';
import { median } from '../authoring/stats.ts';
import { publishedStarterTree } from '../running/starter-tree.ts';
import type { ChapterSpec, Scorecard, Tree } from '../types.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '20' },
    tree: { type: 'string', default: 'both' },
    hog: { type: 'boolean', default: false },
    hogs: { type: 'string' },
  },
});
const hogCount = values.hogs !== undefined ? Number(values.hogs) : values.hog ? 1 : 0;
if (!Number.isInteger(hogCount) || hogCount < 0 || hogCount > 64) {
  console.error(`--hogs takes a number of processes (got "${values.hogs}"). Try: npm run agreement -- 1 --runs 5 --hogs 2`);
  process.exit(2);
}

const runs = Number(values.runs);
const selected = positionals.length === 0 || positionals.includes('all') ? chapters : positionals.map(findChapter);
const trees: Tree[] = values.tree === 'both' ? ['solutions', 'chapters'] : [values.tree as Tree];

// Results of agreement runs are not a learner's runs: keep them apart.
process.env.WORKBOOK_RESULTS_DIR ??= path.join(workbookDir, 'agreement-results');

interface Row {
  chapter: number;
  tree: Tree;
  runs: number;
  verdicts: Record<string, number>;
  agreed: number;
  medianSeconds: number;
  figures: Record<string, { median: number; min: number; max: number }>;
  /** Each run's failures and figures, so a flip can be traced to the run and the number that flipped. */
  perRun: Array<{ seconds: number; failed: string[]; problems: string[]; measured: Record<string, number> }>;
}

const hogs = Array.from({ length: hogCount }, startHog);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    for (const hog of hogs) hog.kill('SIGKILL');
    void stopAllRuns().finally(() => process.exit(130));
  });
}
const rows: Row[] = [];
try {
  for (const chapter of selected) {
    for (const tree of trees) rows.push(await agreementFor(chapter, tree));
  }
} finally {
  for (const hog of hogs) hog.kill('SIGKILL');
}

const file = path.join(workbookDir, `agreement-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(workbookDir, { recursive: true });
await writeFile(file, `${JSON.stringify({ runs, hogs: hogCount, node: process.version, rows }, null, 2)}\n`);
console.log(`\n${bold('Agreement')} (${runs} runs each${hogCount ? `, ${hogCount} CPU hog${hogCount > 1 ? 's' : ''} running` : ''})`);
for (const row of rows) {
  const ok = row.agreed === row.runs;
  const summary = Object.entries(row.verdicts)
    .map(([verdict, count]) => `${count}× ${verdict}`)
    .join('; ');
  console.log(`  ${ok ? green('✓') : red('✗')} chapter ${row.chapter} ${row.tree.padEnd(9)} ${row.agreed}/${row.runs} identical  (${summary}; median ${row.medianSeconds.toFixed(1)} s/run)`);
}
console.log(`\nDetails: ${relative(file)}`);
process.exitCode = rows.every((row) => row.agreed === row.runs) ? 0 : 1;

async function agreementFor(chapter: ChapterSpec, tree: Tree): Promise<Row> {
  // The starter as committed, so a learner's edits do not change the experiment.
  const learner = tree === 'chapters' ? publishedStarterTree(chapter) : undefined;
  if (learner) process.env.WORKBOOK_LEARNER_ROOT = learner.root;
  const cards: Scorecard[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      if (process.stderr.isTTY) process.stderr.write(`\r\u001b[2Kchapter ${chapter.number} ${tree}: run ${i + 1}/${runs}`);
      else if (i === 0) process.stderr.write(`chapter ${chapter.number} ${tree}: ${runs} runs…\n`);
      const card = await runChapter({ chapter, tree });
      cards.push(card);
      if (!process.stderr.isTTY) process.stderr.write(`  run ${i + 1}: ${verdictKey(card)} (${(card.durationMs / 1000).toFixed(1)} s)\n`);
    }
  } finally {
    learner?.remove();
    delete process.env.WORKBOOK_LEARNER_ROOT;
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[2K');
  }
  const verdicts: Record<string, number> = {};
  for (const card of cards) {
    const key = verdictKey(card);
    verdicts[key] = (verdicts[key] ?? 0) + 1;
  }
  const figures: Row['figures'] = {};
  for (const metric of chapter.metrics) {
    const values = cards.map((c) => c.metrics.find((m) => m.id === metric.id)?.measured).filter((v): v is number => v !== undefined);
    if (values.length) figures[metric.id] = { median: median(values), min: Math.min(...values), max: Math.max(...values) };
  }
  return {
    chapter: chapter.number,
    tree,
    runs,
    verdicts,
    agreed: Math.max(...Object.values(verdicts)),
    medianSeconds: median(cards.map((c) => c.durationMs / 1000)),
    figures,
    perRun: cards.map((card) => ({
      seconds: card.durationMs / 1000,
      failed: failedIds(card),
      problems: card.problems.map((p) => `[${p.kind}] ${p.message.split('\n')[0]}`),
      measured: Object.fromEntries(card.metrics.flatMap((m) => (m.measured === undefined ? [] : [[m.id, m.measured]]))),
    })),
  };
}

/** A verdict: the failed checks and targets, plus any problem (a hang, a crash) that failed the run without failing an id. */
function verdictKey(card: Scorecard): string {
  const failed = [...failedIds(card), ...card.problems.map((p) => `problem:${p.kind}`)];
  return failed.length ? `fail: ${failed.join(', ')}` : 'pass';
}

/** One process spinning on a core until it is killed. */
function startHog() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}
