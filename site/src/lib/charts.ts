// Charts as SVG strings, drawn on the server: no chart library and no client
// JavaScript. Colours come from CSS classes so dark mode applies to them too.
import { number, withUnit } from '../../../workbook/format.ts';
import type { Comparison, Verdict } from '../../../workbook/types.ts';

export const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const opText: Record<Comparison, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' };

export interface Bar {
  /** Row label, e.g. "p95". */
  label: string;
  series: 'you' | 'reference';
  /** Undefined: not measured (not run yet, or the bench failed). */
  value: number | undefined;
  verdict?: Verdict;
  /** The graded statistic: drawn bold. */
  graded?: boolean;
}

export interface BarChart {
  id: string;
  title: string;
  unit: string;
  bars: Bar[];
  target: { value: number; op: Comparison; label: string };
}

// A narrow drawing so text stays legible when a phone scales it down.
const W = 420;
const labelW = 120;
const plotX = labelW + 8;
const plotW = 200; // leaves room for the value label after the longest bar
const rowH = 22;
const top = 34;

function scaleMax(values: number[], target: number): number {
  const max = Math.max(target, ...values.filter((v) => Number.isFinite(v)));
  return max > 0 ? max * 1.12 : 1;
}

/**
 * Horizontal bars (yours beside the reference's) against a vertical target
 * line. Values beyond the axis are clipped with an arrow so one huge starter
 * figure does not flatten everything else.
 */
export function barChart({ id, title, unit, bars, target }: BarChart): string {
  const values = bars.map((b) => b.value).filter((v): v is number => v !== undefined);
  // Keep the target in the middle third when one figure dwarfs it.
  const max = Math.min(scaleMax(values, target.value), target.value > 0 ? target.value * 3 : Infinity);
  const x = (v: number) => plotX + Math.max(0, Math.min(1, v / max)) * plotW;
  const groups: string[] = [];
  let y = top;
  let previousLabel = '';
  const rows: string[] = [];
  for (const bar of bars) {
    if (bar.label !== previousLabel && previousLabel) y += 6;
    previousLabel = bar.label;
    const who = bar.series === 'you' ? 'you' : 'reference';
    const cls = `bar ${bar.series}${bar.verdict ? ` ${bar.verdict}` : ''}`;
    const weight = bar.graded ? ' font-weight="700"' : '';
    rows.push(
      `<text x="${labelW}" y="${y + 15}" text-anchor="end" class="label"${weight}>${esc(bar.label ? `${bar.label} · ${who}` : who)}</text>`,
    );
    if (bar.value === undefined) {
      rows.push(`<text x="${plotX + 4}" y="${y + 15}" class="muted">not run yet</text>`);
    } else {
      const end = x(bar.value);
      const clipped = bar.value > max;
      rows.push(`<rect class="${cls}" x="${plotX}" y="${y + 3}" width="${Math.max(2, end - plotX).toFixed(1)}" height="${rowH - 6}" rx="3"/>`);
      if (clipped) rows.push(`<path class="${cls}" d="M${end} ${y + 3} l9 ${(rowH - 6) / 2} l-9 ${(rowH - 6) / 2} z"/>`);
      rows.push(
        `<text x="${end + (clipped ? 13 : 5)}" y="${y + 15}" class="value"${weight}>${esc(withUnit(bar.value, unit))}</text>`,
      );
    }
    y += rowH;
  }
  const height = y + 8;
  const tx = x(target.value);
  groups.push(
    `<line class="target" x1="${tx}" x2="${tx}" y1="${top - 6}" y2="${y}" />`,
    `<text x="${Math.min(tx, W - 4)}" y="${top - 12}" text-anchor="${tx > W - 120 ? 'end' : 'middle'}" class="target-label">${esc(target.label)}</text>`,
    `<line class="axis" x1="${plotX}" x2="${plotX}" y1="${top - 2}" y2="${y}" />`,
  );
  const desc = bars
    .map((b) => `${b.label} ${b.series}: ${b.value === undefined ? 'not run yet' : withUnit(b.value, unit)}`)
    .join('; ');
  return `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet">
<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(`${desc}. Target ${target.label}.`)}</desc>
${groups.join('\n')}
${rows.join('\n')}
</svg>`;
}

export interface LinePoint {
  value: number | undefined;
  label: string;
  verdict?: Verdict;
}

export interface LineChart {
  id: string;
  title: string;
  unit: string;
  points: LinePoint[];
  /** A horizontal target line, e.g. the p95 bound. */
  target?: { value: number; label: string };
  /** Fixed y range, e.g. 0…total for "checks met". */
  yMax?: number;
  height?: number;
}

/** A line over the learner's runs, oldest left, with dots coloured by verdict. */
export function lineChart({ id, title, unit, points, target, yMax, height = 150 }: LineChart): string {
  const left = 44;
  const right = W - 16;
  const top = 14;
  const bottom = height - 26;
  const values = points.map((p) => p.value).filter((v): v is number => v !== undefined);
  const max = yMax ?? scaleMax(values, target?.value ?? 0);
  const x = (i: number) => (points.length <= 1 ? (left + right) / 2 : left + (i / (points.length - 1)) * (right - left));
  const y = (v: number) => bottom - Math.max(0, Math.min(1, v / max)) * (bottom - top);
  const parts: string[] = [
    `<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" />`,
    `<text x="${left - 6}" y="${bottom + 4}" text-anchor="end" class="muted">0</text>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end" class="muted">${esc(yMax === undefined ? number(max) : String(yMax))}</text>`,
  ];
  if (target) {
    const ty = y(target.value);
    parts.push(
      `<line class="target" x1="${left}" x2="${right}" y1="${ty}" y2="${ty}" />`,
      `<text x="${right}" y="${ty - 5}" text-anchor="end" class="target-label">${esc(target.label)}</text>`,
    );
  }
  const drawn = points.map((p, i) => ({ ...p, i })).filter((p) => p.value !== undefined);
  if (drawn.length > 1) {
    parts.push(`<polyline class="line" points="${drawn.map((p) => `${x(p.i).toFixed(1)},${y(p.value!).toFixed(1)}`).join(' ')}" />`);
  }
  for (const p of drawn) {
    parts.push(
      `<circle class="dot ${p.verdict ?? ''}" cx="${x(p.i).toFixed(1)}" cy="${y(p.value!).toFixed(1)}" r="4"><title>${esc(`${p.label}: ${withUnit(p.value!, unit)}`)}</title></circle>`,
    );
  }
  if (points.length) {
    parts.push(`<text x="${left}" y="${height - 6}" class="muted">${esc(points[0]!.label)}</text>`);
    if (points.length > 1) parts.push(`<text x="${right}" y="${height - 6}" text-anchor="end" class="muted">${esc(points.at(-1)!.label)}</text>`);
  }
  const desc = points.map((p) => `${p.label}: ${p.value === undefined ? 'no figure' : withUnit(p.value, unit)}`).join('; ');
  return `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet">
<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>
${parts.join('\n')}
</svg>`;
}

export function targetLabel(target: { stat: string; op: Comparison; value: number }, unit: string): string {
  return `target ${target.stat === 'value' ? '' : `${target.stat} `}${opText[target.op]} ${withUnit(target.value, unit)}`;
}
