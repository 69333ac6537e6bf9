// Per-host client metrics on hdr-histogram-js (the HdrHistogram port) instead
// of perf_hooks' histogram; plain totals beside it.
import * as hdr from 'hdr-histogram-js';

export interface RequestSample {
  durationMs: number;
  ok: boolean;
  bytesSent: number;
  bytesReceived: number;
}

export interface HostSnapshot {
  requests: number;
  errors: number;
  bytesSent: number;
  bytesReceived: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

type Series = Omit<HostSnapshot, 'p50' | 'p95' | 'p99' | 'max'> & { micros: hdr.Histogram };

export class ClientMetrics {
  readonly #series: Record<string, Series> = Object.create(null);

  record(url: string | URL, { durationMs, ok, bytesSent, bytesReceived }: RequestSample): void {
    const host = (url instanceof URL ? url : new URL(url)).host;
    const series = (this.#series[host] ??= {
      requests: 0,
      errors: 0,
      bytesSent: 0,
      bytesReceived: 0,
      micros: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 }),
    });
    series.requests += 1;
    series.errors += ok ? 0 : 1;
    series.bytesSent += bytesSent;
    series.bytesReceived += bytesReceived;
    series.micros.recordValue(Math.max(1, Math.min(600_000_000, Math.round(durationMs * 1_000))));
  }

  hosts(): string[] {
    return Object.keys(this.#series);
  }

  snapshot(host: string): HostSnapshot | undefined {
    const series = this.#series[host];
    if (!series) return undefined;
    const { micros, ...totals } = series;
    const ms = (percentile: number) => micros.getValueAtPercentile(percentile) / 1_000;
    return { ...totals, p50: ms(50), p95: ms(95), p99: ms(99), max: micros.maxValue / 1_000 };
  }
}
