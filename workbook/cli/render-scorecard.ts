// The scorecard a learner reads after every run.
import { bold, cyan, dim, green, pad, red, summaryText, targetText, withUnit, yellow } from './format.ts';
import { failedIds } from '../grading/grade.ts';
import type { MetricResult, RunProblem } from '../types.ts';
import type { ScoredCard } from '../running/run-chapter.ts';

const mark = (verdict: 'pass' | 'fail') => (verdict === 'pass' ? green('✓') : red('✗'));

/**
 * `files` are the learner files, relative to the repository root; `next` is
 * the command to run after a pass.
 */
export function renderScorecard(card: ScoredCard, files: string[], next?: string): string {
  const out: string[] = [];
  const who = card.tree === 'chapters' ? 'your code' : 'reference solution';
  out.push('');
  const dir = files[0] ? files[0].slice(0, files[0].lastIndexOf('/') + 1) : '';
  const names = files.map((f) => f.slice(dir.length)).join(', ');
  out.push(`${bold(`Chapter ${card.chapter.number} · ${card.chapter.title}`)}  ${dim(`(${who}: ${dir}${files.length > 1 ? ` ${names}` : names})`)}`);

  if (card.problems.length > 0) {
    out.push('', bold('Problems'));
    for (const problem of card.problems) out.push(...renderProblem(problem));
  }

  if (card.output) {
    out.push('', bold('Your code printed outside any check'), ...renderOutput(card.output));
  }

  // Until the file compiles, loads and its services answer, the problem is the whole story.
  const blocked =
    card.problems.some((p) => p.kind === 'compile' || p.kind === 'service') ||
    (card.problems.length > 0 && card.checks.every((c) => c.message?.startsWith('not run: the checks stopped while loading')));
  if (!blocked) {
    out.push('', bold('Checks'));
    const idWidth = Math.max(...card.checks.map((c) => c.id.length));
    for (const check of card.checks) {
      out.push(`  ${mark(check.verdict)} ${pad(check.id, idWidth)}  ${dim(check.title)}`);
      if (check.verdict === 'fail' && check.message) {
        out.push(...indent(check.message, 6).map(red));
        if (check.location) out.push(`      ${cyan(`at ${check.location.file}:${check.location.line}`)}`);
      }
      if (check.output) out.push(...renderOutput(check.output));
    }
  }

  if (!blocked) {
    out.push('', bold('Measurements'));
    if (card.scope === 'checks') out.push(dim('  checks only: the bench did not run; counts the checks reported are graded'));
    const titleWidth = Math.max(...card.metrics.map((m) => m.title.length));
    const taught = card.metrics.filter((m) => !m.guardRail);
    const guardRails = card.metrics.filter((m) => m.guardRail);
    for (const metric of taught) out.push(...renderMetric(metric, titleWidth));
    if (guardRails.length > 0) {
      out.push('', `${bold('Guard rails')} ${dim('(the starter meets these too; a fix must not break them)')}`);
      for (const metric of guardRails) out.push(...renderMetric(metric, titleWidth));
    }
  }

  const failed = failedIds(card).length;
  const total = card.checks.length + card.metrics.length;
  out.push('');
  if (card.verdict === 'pass') {
    out.push(`${green(bold('PASS'))}  all ${total} checks and targets met  ${dim(`(${(card.durationMs / 1000).toFixed(1)} s)`)}`);
    if (next) out.push('', `${yellow('Next')}: ${next}`);
  } else {
    out.push(
      `${red(bold('FAIL'))}  ${total - failed} of ${total} met` +
        (card.problems.length ? `, ${card.problems.length} problem(s)` : '') +
        `  ${dim(`(${(card.durationMs / 1000).toFixed(1)} s)`)}`,
    );
  }
  if (blocked) {
    out.push('', `${yellow('Next')}: fix the problem above and run the chapter again; nothing else was checked.`);
  } else if (card.nextHint && card.verdict === 'fail') {
    out.push('', `${yellow('Hint')} ${dim(`(${card.nextHint.id})`)}: ${card.nextHint.hint}`);
  }
  out.push('');
  return out.join('\n');
}

function renderMetric(metric: MetricResult, titleWidth: number): string[] {
  const measured =
    metric.measured === undefined
      ? dim('—')
      : metric.kind === 'latency' && metric.summary
        ? summaryText(metric.summary, metric.unit)
        : withUnit(metric.measured, metric.unit);
  const line = `  ${mark(metric.verdict)} ${pad(metric.title, titleWidth)}  ${pad(measured, 38)} ${dim('target')} ${targetText(metric)}`;
  const lines = [line];
  if (metric.detail) lines.push(`      ${dim(metric.detail)}`);
  if (metric.message) lines.push(...indent(metric.message, 6).map(red));
  return lines;
}

function renderProblem(problem: RunProblem): string[] {
  const where = problem.location
    ? `${problem.location.file}:${problem.location.line}${problem.location.column ? `:${problem.location.column}` : ''}`
    : '';
  const label = { compile: 'does not compile', types: 'type error', timeout: 'timed out', crash: 'crashed', service: 'service unreachable' }[
    problem.kind
  ];
  return [`  ${red('✗')} ${bold(label)}${where ? ` ${cyan(where)}` : ''}`, ...indent(problem.message, 6)];
}

/** What the learner's code printed, set apart from the engine's own text. */
function renderOutput(text: string): string[] {
  return text.split('\n').map((line) => `      ${dim('│')} ${line}`);
}

function indent(text: string, spaces: number): string[] {
  return text.split('\n').map((line) => `${' '.repeat(spaces)}${line}`);
}
