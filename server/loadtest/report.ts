// The load test's scorecard on a terminal.
import type { LoadReport, PhaseResult } from './run.ts';

const MiB = 1024 * 1024;
// Always a space before a column, however wide its value (a 1 234.567 ms p99 on an overloaded machine).
const pad = (value: string | number, width: number) => ` ${String(value).padStart(width - 1)}`;
/** Milliseconds to 1 decimal past 100, 3 below: a table, not a dump. */
const ms = (value: number) => (value >= 100 ? value.toFixed(1) : value.toFixed(3));
const num = (value: number) => value.toLocaleString('en-US');

function phaseRow(label: string, phase: PhaseResult): string {
  const l = phase.latency;
  const memory = phase.rss ? `${Math.round(phase.rss.start / MiB)}→${Math.round(phase.rss.end / MiB)} MB` : '';
  const cpu = phase.cpuPercent !== undefined ? `${phase.cpuPercent} %` : '';
  return `  ${label.padEnd(18)}${pad(num(phase.perSecond), 9)}${pad(ms(l.p50), 8)}${pad(ms(l.p95), 8)}${pad(ms(l.p99), 8)}${pad(ms(l.max), 9)}${pad(phase.errors, 8)}${pad(phase.shed, 7)}${pad(cpu, 7)}  ${memory}`;
}

export function printReport(report: LoadReport, file: string): void {
  const out: string[] = [];
  out.push('', `MCP load test: ${report.target}`);
  if (report.serverInfo) out.push(`server: ${report.serverInfo.name ?? '?'} ${report.serverInfo.version ?? ''}, protocol ${report.protocolVersion ?? '?'}`);
  out.push(`tools: ${report.tools.map((t) => `${t.name} [${t.cls}]`).join(', ')}`);
  if (report.skipped.length) out.push(`skipped: ${report.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
  out.push('', `  ${'phase'.padEnd(18)}${pad('calls/s', 9)}${pad('p50', 8)}${pad('p95', 8)}${pad('p99', 8)}${pad('max ms', 9)}${pad('errors', 8)}${pad('shed', 7)}${pad('CPU', 7)}  RSS`);
  out.push(phaseRow('closed loop', report.closed));
  out.push(phaseRow(`open @${num(report.open.offeredRate ?? 0)}/s`, report.open));
  out.push('', `  ${'class (open loop)'.padEnd(18)}${pad('calls', 9)}${pad('p50', 8)}${pad('p95', 8)}${pad('p99', 8)}${pad('max ms', 9)}`);
  for (const [cls, l] of Object.entries(report.open.byClass)) {
    out.push(`  ${cls.padEnd(18)}${pad(num(l.count), 9)}${pad(ms(l.p50), 8)}${pad(ms(l.p95), 8)}${pad(ms(l.p99), 8)}${pad(ms(l.max), 9)}`);
  }
  for (const sample of [...report.closed.errorSamples, ...report.open.errorSamples].slice(0, 5)) out.push(`  error: ${sample}`);
  out.push('', 'Targets (the guide, chapter 1)');
  for (const check of report.checks) {
    const mark = check.verdict === 'pass' ? '✓' : check.verdict === 'fail' ? '✗' : '·';
    out.push(`  ${mark} ${check.name.padEnd(36)} ${check.value.padEnd(28)} target ${check.target}`);
  }
  const passed = report.checks.filter((c) => c.verdict === 'pass').length;
  const graded = report.checks.filter((c) => c.verdict !== 'n/a').length;
  out.push('', `${report.pass ? 'PASS' : 'FAIL'}  ${passed} of ${graded} met   (written to ${file})`, '');
  process.stdout.write(out.join('\n'));
}
