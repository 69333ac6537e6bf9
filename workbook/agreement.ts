// npm run agreement -- [chapter…|all] [--runs 20] [--tree both|chapters|solutions] [--hog]
//
// Scores the same code K times and reports how many verdicts agreed. A verdict
// here is the exact set of failed checks and targets, not just pass/fail, so a
// metric that flips on a noisy run shows up. --hog keeps a CPU busy beside the
// runs, the way a shared CI machine or a laptop with a build running would.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findChapter } from './chapters.ts';
import { bold, green, red } from './format.ts';
import { failedIds } from './grade.ts';
import { chapters } from './manifest.ts';
import { relative, workbookDir } from './paths.ts';
import { runChapter } from './run.ts';
import { median } from './stats.ts';
import { committedStarterTree } from './starters.ts';
import type { ChapterSpec, Scorecard, Tree } from './types.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '20' },
    tree: { type: 'string', default: 'both' },
    hog: { type: 'boolean', default: false },
  },
});

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
}

const hog = values.hog ? startHog() : undefined;
const rows: Row[] = [];
try {
  for (const chapter of selected) {
    for (const tree of trees) rows.push(await agreementFor(chapter, tree));
  }
} finally {
  hog?.kill('SIGKILL');
}

const file = path.join(workbookDir, `agreement-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(workbookDir, { recursive: true });
await writeFile(file, `${JSON.stringify({ runs, hog: values.hog, node: process.version, rows }, null, 2)}\n`);
console.log(`\n${bold('Agreement')} (${runs} runs each${values.hog ? ', CPU hog running' : ''})`);
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
  const learner = tree === 'chapters' ? committedStarterTree(chapter) : undefined;
  if (learner) process.env.WORKBOOK_LEARNER_ROOT = learner.root;
  const cards: Scorecard[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      if (process.stderr.isTTY) process.stderr.write(`\r\u001b[2Kchapter ${chapter.number} ${tree}: run ${i + 1}/${runs}`);
      else if (i === 0) process.stderr.write(`chapter ${chapter.number} ${tree}: ${runs} runs…\n`);
      cards.push(await runChapter({ chapter, tree }));
    }
  } finally {
    learner?.remove();
    delete process.env.WORKBOOK_LEARNER_ROOT;
    if (process.stderr.isTTY) process.stderr.write('\r\u001b[2K');
  }
  const verdicts: Record<string, number> = {};
  for (const card of cards) {
    const failed = failedIds(card);
    const key = failed.length ? `fail: ${failed.join(', ')}` : 'pass';
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
  };
}

/** One process spinning on a core until it is killed. */
function startHog() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}
