// The load test itself: discover the tools, then drive tools/call closed-loop
// (N callers, each sending its next call when the last returns: the most the
// server can do) and open-loop (calls sent on a fixed schedule, latency timed
// from when each call *should* have left, so a stalled server cannot hide its
// stall by slowing the generator: no coordinated omission).
import * as hdr from 'hdr-histogram-js';
import { seededRandom } from '../../test/support/random.ts';
import { processUsage } from '../launch.ts';
import { objectFor, type JsonSchema } from './arguments.ts';
import { PROTOCOL_VERSION, type Driver, type Outcome } from './drivers.ts';
import { sendOnSchedule } from './schedule.ts';
import { classTarget, TARGETS, type Verdict } from './targets.ts';

const CLASS_META = 'io.github.fast-mcp-workbook/class';

export interface LoadOptions {
  driver: Driver;
  /** Server process to sample RSS and CPU from (when the load test started it). */
  pid?: number;
  connections: number;
  durationMs: number;
  warmupMs: number;
  /** Open-loop rate in calls/s; default half the closed-loop throughput. */
  rate?: number;
  tools?: string[];
  args?: Record<string, Record<string, unknown>>;
  seed?: number;
  progress?: (line: string, final?: boolean) => void;
}

export interface ToolPlan {
  name: string;
  cls: string;
}

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface PhaseResult {
  mode: 'closed' | 'open';
  durationMs: number;
  calls: number;
  perSecond: number;
  /** Calls refused with 503 (load shedding). */
  shed: number;
  errors: number;
  errorSamples: string[];
  latency: Latency;
  byClass: Record<string, Latency>;
  offeredRate?: number;
  cpuPercent?: number;
  rss?: { start: number; end: number; peak: number };
}

export interface Check {
  name: string;
  value: string;
  target: string;
  verdict: Verdict;
}

export interface LoadReport {
  at: string;
  target: string;
  serverInfo?: { name?: string; version?: string };
  protocolVersion?: string;
  tools: ToolPlan[];
  skipped: Array<{ name: string; reason: string }>;
  closed: PhaseResult;
  open: PhaseResult;
  checks: Check[];
  pass: boolean;
}

interface Plan extends ToolPlan {
  makeArgs: () => Record<string, unknown>;
}

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
type Histogram = ReturnType<typeof histogram>;

function latencyOf(h: Histogram): Latency {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

function failure(outcome: Outcome): string | undefined {
  if (outcome.error) return outcome.error;
  if (outcome.result?.isError) return `tool error: ${String(outcome.result.content?.[0]?.text ?? '').slice(0, 160)}`;
  return undefined;
}

async function discover(options: LoadOptions): Promise<{ plans: Plan[]; skipped: LoadReport['skipped']; info: LoadReport['serverInfo']; protocolVersion?: string }> {
  const { driver } = options;
  const init = await driver.call('initialize', {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'fast-mcp-workbook-loadtest', version: '0.1.0' },
  });
  if (!init.result) throw new Error(`initialize failed: ${init.error ?? 'no result'}`);
  await driver.notify('notifications/initialized');
  const tools: Array<{ name: string; inputSchema?: JsonSchema; annotations?: { readOnlyHint?: boolean }; _meta?: Record<string, unknown> }> = [];
  let cursor: string | undefined;
  do {
    const page = await driver.call('tools/list', cursor ? { cursor } : {});
    if (!page.result) throw new Error(`tools/list failed: ${page.error}`);
    tools.push(...page.result.tools);
    cursor = page.result.nextCursor;
  } while (cursor);

  const random = seededRandom(options.seed ?? 42);
  const skipped: LoadReport['skipped'] = [];
  const chosen = options.tools?.length
    ? tools.filter((tool) => options.tools!.includes(tool.name))
    : // By default only tools that say they change nothing: a load test must not write to someone's data.
      tools.filter((tool) => tool.annotations?.readOnlyHint === true);
  for (const name of options.tools ?? []) if (!tools.some((t) => t.name === name)) skipped.push({ name, reason: 'not listed by the server' });
  for (const tool of tools) if (!chosen.includes(tool)) skipped.push({ name: tool.name, reason: options.tools ? 'not asked for' : 'not marked readOnlyHint (use --tools to include it)' });

  const plans: Plan[] = [];
  for (const tool of chosen) {
    const fixed = options.args?.[tool.name];
    const plan: Plan = {
      name: tool.name,
      cls: typeof tool._meta?.[CLASS_META] === 'string' ? (tool._meta[CLASS_META] as string) : tool.annotations?.readOnlyHint ? 'query' : 'action',
      makeArgs: fixed ? () => fixed : () => objectFor(tool.inputSchema, random),
    };
    // One probe call: a tool our generated arguments cannot satisfy is left out, with the reason.
    let probe = await driver.call('tools/call', { name: tool.name, arguments: plan.makeArgs() });
    // Refused for now (shed, rate limited: e.g. while an embedded database
    // starts on the first call): wait as Retry-After asks, a few times.
    for (let retry = 0; retry < PROBE_RETRIES && (probe.status === 503 || probe.status === 429); retry++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      probe = await driver.call('tools/call', { name: tool.name, arguments: plan.makeArgs() });
    }
    const problem = failure(probe);
    if (problem) skipped.push({ name: tool.name, reason: `probe call failed: ${problem}` });
    else plans.push(plan);
  }
  if (plans.length === 0) throw new Error(`no tool to load: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ') || 'the server lists none'}`);
  return { plans, skipped, info: init.result.serverInfo, protocolVersion: init.result.protocolVersion };
}

/** Retries of a probe call the server refused (503/429), one second apart. */
const PROBE_RETRIES = 10;

class Recorder {
  readonly all = histogram();
  readonly byClass = new Map<string, Histogram>();
  calls = 0;
  shed = 0;
  errors = 0;
  readonly errorSamples: string[] = [];

  record(plan: Plan, outcome: Outcome, micros: number): void {
    this.calls++;
    // Refused at the door (503 shed, 429 rate limited): counted apart from errors.
    if (outcome.status === 503 || outcome.status === 429) {
      this.shed++;
      return;
    }
    const problem = failure(outcome);
    if (problem) {
      this.errors++;
      if (this.errorSamples.length < 5) this.errorSamples.push(`${plan.name}: ${problem}`);
      return;
    }
    const value = Math.max(1, Math.round(micros));
    this.all.recordValue(value);
    let h = this.byClass.get(plan.cls);
    if (!h) this.byClass.set(plan.cls, (h = histogram()));
    h.recordValue(value);
  }

  result(mode: PhaseResult['mode'], durationMs: number): PhaseResult {
    return {
      mode,
      durationMs: Math.round(durationMs),
      calls: this.calls,
      perSecond: Math.round((this.calls * 1000) / durationMs),
      shed: this.shed,
      errors: this.errors,
      errorSamples: this.errorSamples,
      latency: latencyOf(this.all),
      byClass: Object.fromEntries([...this.byClass].map(([cls, h]) => [cls, latencyOf(h)])),
    };
  }
}

/** Samples the server process every 250 ms while a phase runs. */
function sampler(pid: number | undefined) {
  const rss: number[] = [];
  const first = pid ? processUsage(pid) : undefined;
  const started = performance.now();
  const timer = pid
    ? setInterval(() => {
        const usage = processUsage(pid);
        if (usage) rss.push(usage.rss);
      }, 250)
    : undefined;
  return {
    stop(): Pick<PhaseResult, 'cpuPercent' | 'rss'> {
      if (timer) clearInterval(timer);
      const last = pid ? processUsage(pid) : undefined;
      if (!first || !last) return {};
      rss.push(last.rss);
      const elapsed = performance.now() - started;
      return {
        cpuPercent: Math.round(((last.cpuMs - first.cpuMs) / elapsed) * 100),
        rss: { start: rss[0] ?? first.rss, end: last.rss, peak: Math.max(first.rss, ...rss) },
      };
    },
  };
}

function progressTicker(options: LoadOptions, label: string, recorder: Recorder, started: number) {
  let lastCalls = 0;
  let lastAt = started;
  const timer = setInterval(() => {
    const now = performance.now();
    const rate = Math.round(((recorder.calls - lastCalls) * 1000) / (now - lastAt));
    lastCalls = recorder.calls;
    lastAt = now;
    const p99 = recorder.all.totalCount ? (recorder.all.getValueAtPercentile(99) / 1000).toFixed(1) : '-';
    options.progress?.(
      `${label} ${((now - started) / 1000).toFixed(0)}/${(options.durationMs / 1000).toFixed(0)} s  ${rate.toLocaleString('en-US')} calls/s  p99 ${p99} ms  errors ${recorder.errors}  shed ${recorder.shed}`,
    );
  }, 1_000);
  return () => clearInterval(timer);
}

async function closedLoop(options: LoadOptions, plans: Plan[], durationMs: number, recorder: Recorder, label?: string): Promise<number> {
  const started = performance.now();
  const until = started + durationMs;
  const stopTicker = label ? progressTicker({ ...options, durationMs }, label, recorder, started) : () => {};
  await Promise.all(
    Array.from({ length: options.connections }, async (_, worker) => {
      for (let n = worker; performance.now() < until; n++) {
        const plan = plans[n % plans.length]!;
        const sent = performance.now();
        const outcome = await options.driver.call('tools/call', { name: plan.name, arguments: plan.makeArgs() });
        recorder.record(plan, outcome, (performance.now() - sent) * 1000);
      }
    }),
  );
  stopTicker();
  return performance.now() - started;
}

/** Send `rate` calls a second on schedule; each call's latency counts from its scheduled time. */
async function openLoop(options: LoadOptions, plans: Plan[], rate: number, recorder: Recorder): Promise<number> {
  const maxOutstanding = Math.max(1_000, options.connections * 32);
  const stopTicker = progressTicker(options, `open @${rate.toLocaleString('en-US')}/s`, recorder, performance.now());
  const pending = new Set<Promise<void>>();
  const started = await sendOnSchedule(rate, options.durationMs, (n, dueAt) => {
    const plan = plans[n % plans.length]!;
    if (pending.size >= maxOutstanding) {
      // The server is this far behind: count the call as failed rather than queue without bound.
      recorder.record(plan, { status: 0, error: `more than ${maxOutstanding} calls outstanding` }, 0);
      return;
    }
    const call: Promise<void> = options.driver
      .call('tools/call', { name: plan.name, arguments: plan.makeArgs() })
      .then((outcome) => recorder.record(plan, outcome, (performance.now() - dueAt) * 1000))
      .finally(() => pending.delete(call));
    pending.add(call);
  });
  await Promise.all(pending);
  stopTicker();
  return performance.now() - started;
}

export async function runLoadTest(options: LoadOptions, target: string): Promise<LoadReport> {
  const { plans, skipped, info, protocolVersion } = await discover(options);
  options.progress?.(`tools: ${plans.map((p) => `${p.name} [${p.cls}]`).join(', ')}`, true);

  // Warm-up: JIT, connection pool, caches. Discarded.
  await closedLoop(options, plans, options.warmupMs, new Recorder(), 'warm-up');

  const closedRecorder = new Recorder();
  const closedSampler = sampler(options.pid);
  const closedMs = await closedLoop(options, plans, options.durationMs, closedRecorder, `closed x${options.connections}`);
  const closed = { ...closedRecorder.result('closed', closedMs), ...closedSampler.stop() };
  options.progress?.(`closed loop: ${closed.perSecond.toLocaleString('en-US')} calls/s, p99 ${closed.latency.p99} ms`, true);

  const rate = Math.max(1, Math.round(options.rate ?? closed.perSecond / 2));
  const openRecorder = new Recorder();
  const openSampler = sampler(options.pid);
  const openMs = await openLoop(options, plans, rate, openRecorder);
  const open = { ...openRecorder.result('open', openMs), offeredRate: rate, ...openSampler.stop() };
  options.progress?.(`open loop at ${rate.toLocaleString('en-US')}/s: p99 ${open.latency.p99} ms`, true);

  const checks = grade(closed, open);
  return {
    at: new Date().toISOString(),
    target,
    serverInfo: info,
    protocolVersion,
    tools: plans.map(({ name, cls }) => ({ name, cls })),
    skipped,
    closed,
    open,
    checks,
    pass: checks.every((check) => check.verdict !== 'fail'),
  };
}

function grade(closed: PhaseResult, open: PhaseResult): Check[] {
  const MiB = 1024 * 1024;
  const checks: Check[] = [];
  const add = (name: string, value: string, target: string, ok: boolean | undefined) =>
    checks.push({ name, value, target, verdict: ok === undefined ? 'n/a' : ok ? 'pass' : 'fail' });
  add('throughput (closed loop)', `${closed.perSecond.toLocaleString('en-US')} calls/s`, `≥ ${TARGETS.throughputPerSecond} calls/s`, closed.perSecond >= TARGETS.throughputPerSecond);
  // Latency targets are graded at the open-loop rate: the service time under a
  // steady load, not the queueing of a saturated one.
  for (const [cls, latency] of Object.entries(open.byClass)) {
    add(`${cls} p95 (open loop)`, `${latency.p95} ms (p99 ${latency.p99})`, `< ${classTarget(cls)} ms`, latency.p95 < classTarget(cls));
  }
  const calls = closed.calls + open.calls;
  const errors = closed.errors + open.errors;
  add('errors', `${errors} of ${calls.toLocaleString('en-US')}`, `≤ ${TARGETS.errorRate * 100} %`, calls > 0 && errors / calls <= TARGETS.errorRate);
  const peak = Math.max(closed.rss?.peak ?? 0, open.rss?.peak ?? 0);
  add('server RSS (peak)', peak ? `${Math.round(peak / MiB)} MB` : 'not sampled', `< ${TARGETS.rssBytes / MiB} MB`, peak ? peak < TARGETS.rssBytes : undefined);
  add('server CPU at the open-loop rate', open.cpuPercent !== undefined ? `${open.cpuPercent} %` : 'not sampled', `< ${TARGETS.cpuPercent} %`, open.cpuPercent !== undefined ? open.cpuPercent < TARGETS.cpuPercent : undefined);
  return checks;
}
