// Numbers and colours for the terminal. Colour only on a TTY, and never when
// NO_COLOR is set.
import { samplesNeeded } from '../grading/grade.ts';
import type { Comparison, MetricResult, SampleSummary } from '../types.ts';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const paint = (code: string) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);

export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const dim = paint('2');
export const bold = paint('1');
export const cyan = paint('36');

const opText: Record<Comparison, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' };

/** A number with as many digits as its size deserves. */
export function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (Number.isInteger(value) || abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

export function withUnit(value: number, unit: string): string {
  if (!unit) return number(value);
  return unit === '×' ? `${number(value)}×` : `${number(value)} ${unit}`;
}

export function targetText(metric: Pick<MetricResult, 'target' | 'unit'>): string {
  const { stat, op, value } = metric.target;
  const prefix = stat === 'value' ? '' : `${stat} `;
  return `${prefix}${opText[op]} ${withUnit(value, metric.unit)}`;
}

/** The percentiles the sample count supports (a p99 needs 100 samples), with n. */
export function summaryText(summary: SampleSummary, unit: string): string {
  const shown = (['p50', 'p95', 'p99'] as const).filter((stat) => summary.n >= samplesNeeded(stat));
  const figures = shown.length ? shown.map((stat) => `${stat} ${number(summary[stat])}`).join('  ') : `max ${number(summary.max)}`;
  return `${figures} ${unit} (n=${summary.n})`;
}

/** Visible width, ignoring colour codes. */
export function width(text: string): number {
  return text.replace(/\u001b\[\d+m/g, '').length;
}

export function pad(text: string, size: number): string {
  return text + ' '.repeat(Math.max(0, size - width(text)));
}
