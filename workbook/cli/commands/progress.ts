// `npm run chapter progress`: a table of every chapter, or a file for the team page.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bold, dim, green, pad, red, withUnit } from '../format.ts';
import { chapters } from '../../manifest.ts';
import { progressDir, relative } from '../../paths.ts';
import { allProgress, type ChapterProgress } from '../../grading/progress.ts';

export async function showProgress(options: { json: boolean; export: boolean; name: string | undefined }): Promise<number> {
  const progress = await allProgress();
  if (options.export) {
    const learner = options.name ?? learnerName();
    const file = path.join(progressDir, `${learner.replace(/[^\w.-]+/g, '-')}.json`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify({ learner, exportedAt: new Date().toISOString(), chapters: progress }, null, 2)}\n`);
    console.log(`Wrote ${relative(file)} — send it to whoever runs your team's progress page.`);
    return 0;
  }
  if (options.json) {
    console.log(JSON.stringify(progress, null, 2));
    return 0;
  }
  console.log(renderTable(progress));
  return 0;
}

function renderTable(progress: ChapterProgress[]): string {
  const status = (p: ChapterProgress) =>
    p.status === 'passing' ? green('passing') : p.status === 'failing' ? red('failing') : dim('not started');
  const lines = [bold(`${pad('#', 4)}${pad('chapter', 30)}${pad('status', 14)}${pad('runs', 6)}checks`)];
  for (const p of progress) {
    lines.push(
      `${pad(String(p.number), 4)}${pad(p.title, 30)}${pad(status(p), 14)}${pad(String(p.runs), 6)}${p.runs ? `${p.checksPassed}/${p.checksTotal}` : dim('—')}`,
    );
    const spec = chapters.find((c) => c.slug === p.slug)!;
    for (const metric of spec.metrics) {
      const best = p.best[metric.id];
      if (!best) continue;
      const mark = best.met ? green('✓') : red('✗');
      lines.push(dim(`      best ${metric.title}: `) + `${withUnit(best.measured, best.unit)} ${mark}`);
    }
  }
  return lines.join('\n');
}

function learnerName(): string {
  try {
    const name = execFileSync('git', ['config', 'user.name'], { encoding: 'utf8' }).trim();
    if (name) return name;
  } catch {
    // No git identity: fall back to the account name.
  }
  return os.userInfo().username;
}
