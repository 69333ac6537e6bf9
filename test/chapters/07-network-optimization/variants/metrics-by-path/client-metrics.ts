// What every upstream costs, per host: how many requests, how many failed, how
// many bytes went each way, and latency percentiles from a fixed-size
// histogram (the one chapter 2's collector is built on).
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface RequestSample {
  durationMs: number;
  /** false for a thrown error (timeout, reset, refused) and for a 5xx answer. */
  ok: boolean;
  /** Request body bytes sent. */
  bytesSent: number;
  /** Response body bytes received, as they came over the wire (compressed, if they were). */
  bytesReceived: number;
}

export interface HostSnapshot {
  requests: number;
  errors: number;
  bytesSent: number;
  bytesReceived: number;
  /** Latency percentiles and maximum, in milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface HostStats {
  requests: number;
  errors: number;
  bytesSent: number;
  bytesReceived: number;
  latency: RecordableHistogram;
}

// Microseconds from 1 µs to 10 min at 3 significant digits: a few KB per host.
const LOWEST_US = 1;
const HIGHEST_US = 600_000_000;

export class ClientMetrics {
  readonly #hosts = new Map<string, HostStats>();

  // #region record
  record(url: string | URL, sample: RequestSample): void {
    // One series per host. Keyed by the full URL, every distinct path and
    // query string would be a series of its own: memory (and the bill of any
    // metrics backend) would grow with traffic instead of with upstreams.
    // Per endpoint: host and path, without the query string.
    const { host, pathname } = new URL(url);
    const key = `${host}${pathname}`;
    let stats = this.#hosts.get(key);
    if (!stats) {
      stats = { requests: 0, errors: 0, bytesSent: 0, bytesReceived: 0, latency: createHistogram({ lowest: LOWEST_US, highest: HIGHEST_US, figures: 3 }) };
      this.#hosts.set(key, stats);
    }
    stats.requests++;
    if (!sample.ok) stats.errors++;
    stats.bytesSent += sample.bytesSent;
    stats.bytesReceived += sample.bytesReceived;
    stats.latency.record(Math.min(HIGHEST_US, Math.max(LOWEST_US, Math.round(sample.durationMs * 1_000))));
  }
  // #endregion record

  /** Hosts seen so far, as "hostname:port". */
  hosts(): string[] {
    return [...this.#hosts.keys()];
  }

  snapshot(host: string): HostSnapshot | undefined {
    const stats = this.#hosts.get(host);
    if (!stats) return undefined;
    const ms = (micros: number) => micros / 1_000;
    return {
      requests: stats.requests,
      errors: stats.errors,
      bytesSent: stats.bytesSent,
      bytesReceived: stats.bytesReceived,
      p50: ms(stats.latency.percentile(50)),
      p95: ms(stats.latency.percentile(95)),
      p99: ms(stats.latency.percentile(99)),
      max: ms(stats.latency.max),
    };
  }
}
