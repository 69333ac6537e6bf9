// Charts as SVG strings, drawn on the server: no chart library and no client
// JavaScript. Colours come from CSS classes so dark mode applies to them too.
// Drawn 400 units wide (more for long row captions) with 14-unit text and shown
// at least 11/14 of that in CSS pixels (21rem in workbook.css, more inline), so
// chart text never renders below 11 px.
import { number, targetText, withUnit } from '../../../workbook/cli/format.ts';
import type { Comparison, Verdict } from '../../../workbook/types.ts';

export const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "target p95 < 50 ms": the engine's wording, with the word the charts need. */
export function targetLabel(target: { stat: 'value' | 'p50' | 'p95' | 'p99' | 'median'; op: Comparison; value: number }, unit: string): string {
  return `target ${targetText({ target, unit })}`;
}

export type Series = 'starter' | 'you' | 'reference';

export interface Bar {
  /** Row group, e.g. "p95"; empty when the metric has one figure. */
  label: string;
  series: Series;
  /** Undefined: not measured (not run yet, or the bench failed). */
  value: number | undefined;
  verdict?: Verdict;
  /** The graded statistic: drawn bold. */
  graded?: boolean;
  /** The row's text instead of "label · series" (e.g. a server's name). */
  caption?: string;
}

export interface BarChart {
  id: string;
  title: string;
  unit: string;
  bars: Bar[];
  target?: { value: number; label: string };
}

const W = 400;
/** The row-label column of a bar chart: wide enough for "p95 · reference", wider for long captions. */
const minLabelW = 126;
const maxLabelW = 250;
const plotW = 178;
/** Room right of the plot for a bar's figure. */
const figureRoom = 88;
const rowH = 24;
/** Width of a line of 14-unit system-ui text, a little generous (bold digits are the widest). */
const textWidth = (text: string) => text.length * 8;
/** The smallest CSS width at which `viewBoxWidth` units of 14-unit text still render at 11 px or more. */
const minCssWidth = (viewBoxWidth: number) => Math.ceil((viewBoxWidth * 11) / 14);
/** `text` cut to fit `width` units, with an ellipsis. */
const fit = (text: string, width: number) => (textWidth(text) <= width ? text : `${text.slice(0, Math.max(1, Math.floor(width / 8) - 1))}…`);

/**
 * One scale for every bar and the target. Linear from 0, unless the positive
 * figures span more than 50× (a starter 1000× slower than the fix): then a
 * log scale, so the fix and the target are not squashed against the axis.
 */
export function chartScale(values: number[], target: number) {
  const positive = [...values, target].filter((v) => Number.isFinite(v) && v > 0);
  // Nothing above zero (0 lost updates against a target of 0): a plain 0…1 axis.
  if (positive.length === 0) return { log: false, at: (v: number) => Math.max(0, Math.min(1, v)), ticks: [0, 0.5, 1] };
  const hi = Math.max(...positive) * 1.15;
  const lo = Math.min(...positive, hi);
  if (positive.length > 1 && hi / lo > 50) {
    const min = lo / 2;
    const span = Math.log10(hi) - Math.log10(min);
    return {
      log: true,
      at: (v: number) => (v <= min ? 0 : Math.min(1, (Math.log10(v) - Math.log10(min)) / span)),
      ticks: logTicks(min, hi),
    };
  }
  const max = niceCeiling(hi);
  return { log: false, at: (v: number) => Math.max(0, Math.min(1, v / max)), ticks: [0, max / 2, max] };
}

/** The next round number at or above `value` (1, 2, 2.5 or 5 × a power of ten); 1 for nothing at all. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((nice) => nice >= value * 0.999)!;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.ceil(Math.log10(min)); e <= Math.floor(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks.length >= 2 ? ticks : [min, max];
}

/** Horizontal bars — starter · you · reference — on one scale, with the target as a dashed line. */
export function barChart({ id, title, unit, bars, target }: BarChart): string {
  const values = bars.map((b) => b.value).filter((v): v is number => v !== undefined);
  const scale = chartScale(values, target?.value ?? Number.NaN);
  const rowText = (bar: Bar) => bar.caption ?? (bar.label ? `${bar.label} · ${bar.series}` : bar.series);
  // Long captions (a server's name) widen the chart rather than run off its left edge.
  const labelW = Math.min(maxLabelW, Math.max(minLabelW, ...bars.map((b) => textWidth(rowText(b)))));
  const plotX = labelW + 8;
  const width = plotX + plotW + figureRoom;
  const x = (v: number) => plotX + scale.at(v) * plotW;
  const top = target ? 36 : 12; // room above the bars for the target's label
  const rows: string[] = [];
  let y = top;
  let previousLabel: string | undefined;
  for (const bar of bars) {
    if (previousLabel !== undefined && bar.label !== previousLabel) y += 8;
    previousLabel = bar.label;
    const cls = `bar ${bar.series}${bar.series === 'you' && bar.verdict ? ` ${bar.verdict}` : ''}`;
    const weight = bar.graded ? ' font-weight="700"' : '';
    const text = rowText(bar);
    const shown = fit(text, labelW);
    rows.push(`<text x="${labelW}" y="${y + 16}" text-anchor="end"${weight}>${shown !== text ? `<title>${esc(text)}</title>` : ''}${esc(shown)}</text>`);
    if (bar.value === undefined) {
      rows.push(`<text x="${plotX + 4}" y="${y + 16}" class="muted">${bar.series === 'you' ? 'not run yet' : 'no figure'}</text>`);
    } else {
      const end = x(bar.value);
      const figure = withUnit(bar.value, unit);
      // A zero still gets a visible mark: "0 lost updates" is a result, not a gap.
      rows.push(`<rect class="${cls}" x="${plotX}" y="${y + 4}" width="${Math.max(3, end - plotX).toFixed(1)}" height="${rowH - 8}" rx="2"/>`);
      // The figure goes after the bar; when that would run off the chart, inside the bar's end.
      const after = Math.max(end, plotX + 3) + 5;
      rows.push(
        after + textWidth(figure) <= width
          ? `<text x="${after.toFixed(1)}" y="${y + 16}" class="figure"${weight}>${esc(figure)}</text>`
          : `<text x="${(end - 5).toFixed(1)}" y="${y + 16}" text-anchor="end" class="figure on-bar"${weight}>${esc(figure)}</text>`,
      );
    }
    y += rowH;
  }
  const axisY = y + 4;
  const ticks = scale.ticks
    .map((t) => `<line class="gridline" x1="${x(t)}" x2="${x(t)}" y1="${top - 2}" y2="${axisY}"/><text x="${x(t)}" y="${axisY + 15}" text-anchor="middle" class="muted">${esc(tickText(t))}</text>`)
    .join('\n');
  const axisTitle = `${unit || 'value'}${scale.log ? ' (log scale)' : ''}`;
  const height = axisY + 38;
  const parts = [
    ticks,
    `<line class="axis" x1="${plotX}" x2="${plotX + plotW}" y1="${axisY}" y2="${axisY}"/>`,
    `<line class="axis" x1="${plotX}" x2="${plotX}" y1="${top - 2}" y2="${axisY}"/>`,
    `<text x="${plotX + plotW / 2}" y="${axisY + 32}" text-anchor="middle" class="muted">${esc(axisTitle)}</text>`,
    ...(target ? targetLine(x(target.value), target.label, top, axisY, width) : []),
    ...rows,
  ];
  const desc = bars.map((b) => `${b.caption ?? `${b.label ? `${b.label} ` : ''}${b.series}`}: ${b.value === undefined ? 'no figure' : withUnit(b.value, unit)}`).join('; ');
  return svg(id, title, target ? `${desc}. ${target.label}.` : `${desc}.`, height, parts, width);
}

/** An axis tick: 0.001 rather than the figures' two significant digits (0.0010). */
function tickText(value: number): string {
  return value > 0 && value < 1 ? String(Number(value.toPrecision(2))) : number(value);
}

function targetLine(tx: number, label: string, top: number, axisY: number, width: number): string[] {
  const half = textWidth(label) / 2;
  // Centred on the line where it fits, else kept inside the chart.
  const cx = Math.min(Math.max(tx, half + 4), width - half - 4);
  return [
    `<line class="target" x1="${tx}" x2="${tx}" y1="${top - 8}" y2="${axisY}"/>`,
    `<text x="${cx.toFixed(1)}" y="${top - 14}" text-anchor="middle" class="target-label">${esc(label)}</text>`,
  ];
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

/** A line over the learner's runs, oldest left: labelled axes, dots coloured by verdict. */
export function lineChart({ id, title, unit, points, target, yMax, height = 170 }: LineChart): string {
  const left = 58;
  const right = W - 14;
  const top = 24; // room for the target's label when the target is the top of the scale ("all 12")
  const bottom = height - 42;
  const values = points.map((p) => p.value).filter((v): v is number => v !== undefined);
  const max = yMax ?? (Math.max(target?.value ?? 0, ...values, 0) * 1.15 || 1);
  const x = (i: number) => (points.length <= 1 ? (left + right) / 2 : left + (i / (points.length - 1)) * (right - left));
  const y = (v: number) => bottom - Math.max(0, Math.min(1, v / max)) * (bottom - top);
  const parts: string[] = [
    `<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`,
    `<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`,
    `<text x="${left - 6}" y="${bottom + 5}" text-anchor="end" class="muted">0</text>`,
    `<text x="${left - 6}" y="${top + 5}" text-anchor="end" class="muted">${esc(number(max))}</text>`,
    `<text transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" class="muted">${esc(unit)}</text>`,
    `<text x="${(left + right) / 2}" y="${height - 6}" text-anchor="middle" class="muted">run (oldest → newest)</text>`,
  ];
  // Every run gets an x tick; at most about eight are numbered.
  const every = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((_, i) => {
    if (i % every === 0 || i === points.length - 1) {
      parts.push(`<text x="${x(i).toFixed(1)}" y="${bottom + 17}" text-anchor="middle" class="muted">${i + 1}</text>`);
    }
  });
  if (target) {
    const ty = y(target.value);
    parts.push(
      `<line class="target" x1="${left}" x2="${right}" y1="${ty}" y2="${ty}"/>`,
      `<text x="${right}" y="${ty - 5}" text-anchor="end" class="target-label">${esc(target.label)}</text>`,
    );
  }
  const drawn = points.map((p, i) => ({ ...p, i })).filter((p) => p.value !== undefined);
  if (drawn.length > 1) {
    parts.push(`<polyline class="line" points="${drawn.map((p) => `${x(p.i).toFixed(1)},${y(p.value!).toFixed(1)}`).join(' ')}"/>`);
  }
  for (const p of drawn) {
    parts.push(
      `<circle class="dot ${p.verdict ?? ''}" cx="${x(p.i).toFixed(1)}" cy="${y(p.value!).toFixed(1)}" r="4"><title>${esc(`run ${p.i + 1}, ${p.label}: ${withUnit(p.value!, unit)}`)}</title></circle>`,
    );
  }
  const desc = points.map((p, i) => `run ${i + 1} (${p.label}): ${p.value === undefined ? 'no figure' : withUnit(p.value, unit)}`).join('; ');
  return svg(id, title, desc, height, parts);
}

function svg(id: string, title: string, desc: string, height: number, parts: string[], width = W): string {
  // Wider than the standard 400 units: a larger minimum CSS width keeps its text at 11 px or more.
  const style = width > W ? ` style="min-width: ${minCssWidth(width)}px; max-width: ${Math.round((width / W) * 36)}rem"` : '';
  return `<div class="chart-box"><svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet"${style}>
<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>
${parts.join('\n')}
</svg></div>`;
}
