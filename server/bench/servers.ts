// npm run bench:servers [-- --rounds 3 --duration 4 --connections 32 --open-rate 1000 --rss-calls 100000]
// One run, one machine, the same tool (an in-memory cached lookup) and the
// same load for every server, warm-up discarded, rounds interleaved (the order
// rotates) and each figure the median over rounds. Prints req/s, p50, p99 and
// RSS per server and the ratios to ours; then, for ours and the hand-written
// limit, p99 in an open loop at a fixed rate below saturation (the honest
// latency figure: 32 closed-loop callers on 2 cores queue by construction),
// and ours' RSS across 100 000 calls over HTTP; writes .workbook/results/server/bench-servers.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serverResultFile } from '../../workbook/grading/results.ts';
import { root, workbookDir } from '../../workbook/paths.ts';
import { buildServer, builtEnv } from '../build.ts';
import { launch, processUsage, type Launched } from '../launch.ts';
import { exitWithUsage, parseCommandLine, positiveNumber, UsageError } from '../cli-args.ts';
import { closedLoad, countedLoad, openLoad, probe, type LoadResult, type OpenLoadResult } from './generator.ts';

const USAGE = `
Usage: npm run bench:servers -- [options]

The same in-memory lookup tool and load against our reference server and its
peers (SDK 1.x stateless and pooled, SDK 2.x, fastmcp, hand-written JSON-RPC),
rounds interleaved, medians reported, ratios to ours.

  --rounds N           rounds per server, 1-5 (default 3)
  --duration S         seconds of closed-loop load per round, max 20 (default 4)
  --warmup S           seconds of warm-up per round, discarded, max 10 (default 1.5)
  --connections N      closed-loop callers, max 256 (default 32)
  --open-rate N        open-loop calls/s for the latency figure, ours and the limit (default 1000,
                       lowered to half the slower one's closed-loop req/s if that is less: below saturation)
  --open-duration S    seconds of open-loop load per round, max 20 (default 4)
  --rss-calls N        calls over HTTP for ours' RSS-flat check, 0 to skip, max 1000000 (default 100000)
  --only a,b           only these servers: ${peerIds()}
  -h, --help           this text
`;

function peerIds(): string {
  return 'ours, sdk-stateless-express, sdk-pooled, sdk2-handler, fastmcp, hand-written';
}

const values = parseCommandLine(
  {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '1.5' },
    connections: { type: 'string', default: '32' },
    'open-rate': { type: 'string', default: '1000' },
    'open-duration': { type: 'string', default: '4' },
    'rss-calls': { type: 'string', default: '100000' },
    only: { type: 'string' },
  },
  USAGE,
);
let rounds = 0, durationMs = 0, warmupMs = 0, connections = 0, openRate = 0, openDurationMs = 0, rssCalls = 0;
try {
  rounds = Math.round(positiveNumber('rounds', values.rounds, 5));
  durationMs = positiveNumber('duration', values.duration, 20) * 1000;
  warmupMs = positiveNumber('warmup', values.warmup, 10) * 1000;
  connections = Math.round(positiveNumber('connections', values.connections, 256));
  openRate = positiveNumber('open-rate', values['open-rate'], 100_000);
  openDurationMs = positiveNumber('open-duration', values['open-duration'], 20) * 1000;
  rssCalls = values['rss-calls'] === '0' ? 0 : Math.round(positiveNumber('rss-calls', values['rss-calls'], 1_000_000));
  const unknown = values.only?.split(',').filter((id) => !peerIds().split(', ').includes(id));
  if (unknown?.length) throw new UsageError(`--only: no server called ${unknown.join(', ')} (there are: ${peerIds()})`);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  exitWithUsage(error.message, USAGE);
}
/**
 * Ours without event-loop-delay shedding: the peers shed nothing, and on a
 * machine shared with other work that signal reads the neighbours' CPU use
 * (it refused most calls at a load average of 20). Shedding on calls in
 * flight stays on; the load test runs the server with every default.
 */
const OURS_ENV = { MCP_MAX_EVENT_LOOP_DELAY_MS: '0' };
/** Servers measured in the open loop as well: ours and the near-limit reference, same run. */
const OPEN_LOOP_PEERS = new Set(['ours', 'hand-written']);

const FASTMCP = 'fastmcp@4.20.16';
const peersDir = path.join(workbookDir, 'peers');

interface Peer {
  id: string;
  label: string;
  /** Builds the peer and returns the file to run, or a reason it cannot run here. */
  prepare(): Promise<string | { skip: string }>;
}

const peerSource = (name: string) => path.join(root, 'server', 'bench', 'peers', `${name}.ts`);
const built = (name: string) => buildServer(peerSource(name), path.join(workbookDir, 'build', 'peers', `${name}.mjs`));

const peers: Peer[] = [
  { id: 'ours', label: 'reference server (this repo)', prepare: () => buildServer() },
  { id: 'sdk-stateless-express', label: 'SDK 1.x README stateless (express)', prepare: () => built('sdk-stateless-express') },
  { id: 'sdk-pooled', label: 'SDK 1.x shared validator + pooled servers', prepare: () => built('sdk-pooled') },
  { id: 'sdk2-handler', label: 'SDK 2.x createMcpHandler', prepare: () => built('sdk2-handler') },
  {
    id: 'fastmcp',
    label: 'fastmcp 4.20 httpStream stateless',
    async prepare() {
      if (!existsSync(path.join(peersDir, 'node_modules', 'fastmcp', 'package.json'))) {
        process.stderr.write(`installing ${FASTMCP} into ${path.relative(root, peersDir)} (not in package.json: it needs Node 22)…\n`);
        const install = spawnSync('npm', ['install', '--prefix', peersDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', FASTMCP], { encoding: 'utf8' });
        if (install.status !== 0) return { skip: `npm install ${FASTMCP} failed: ${(install.stderr || install.stdout).trim().split('\n').pop()}` };
      }
      // Built inside .workbook/peers so `import 'fastmcp'` resolves to that install.
      return buildServer(peerSource('fastmcp'), path.join(peersDir, 'peer-fastmcp.mjs'));
    },
  },
  { id: 'hand-written', label: 'hand-written JSON-RPC on node:http (limit)', prepare: () => built('hand-written') },
];

interface Row {
  id: string;
  label: string;
  skipped?: string;
  runs: Array<LoadResult & { rss: number; cpuUsPerCall: number }>;
  cpuUsPerCall?: number;
  perSecond?: number;
  p50?: number;
  p99?: number;
  rssMB?: number;
  errors?: number;
  /** Open loop at `openRate`: medians over rounds. */
  open?: { rate: number; p50: number; p99: number; p999: number; errors: number };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const selected = values.only ? peers.filter((p) => values.only!.split(',').includes(p.id)) : peers;
const rows: Row[] = selected.map((peer) => ({ id: peer.id, label: peer.label, runs: [] }));
const files = new Map<string, string>();
for (const [i, peer] of selected.entries()) {
  try {
    const prepared = await peer.prepare();
    if (typeof prepared === 'string') files.set(peer.id, prepared);
    else rows[i]!.skipped = prepared.skip;
  } catch (error) {
    rows[i]!.skipped = `could not build: ${(error as Error).message.split('\n')[0]}`;
  }
}

process.stderr.write(`bench:servers: ${rounds} rounds × ${durationMs / 1000} s (+${warmupMs / 1000} s warm-up) at ${connections} connections, on 127.0.0.1\n`);
for (let round = 0; round < rounds; round++) {
  // Rotate the order so no server always runs first (or right after the heaviest).
  const order = rows.map((_, i) => rows[(i + round) % rows.length]!);
  for (const row of order) {
    const file = files.get(row.id);
    if (!file || row.skipped) continue;
    let server: Launched | undefined;
    try {
      server = await launch(process.execPath, [file], { ...builtEnv(), ...(row.id === 'ours' && OURS_ENV) }, 30_000);
      await probe(server.url);
      await closedLoad(server.url, connections, warmupMs);
      const before = processUsage(server.pid);
      const result = await closedLoad(server.url, connections, durationMs);
      const after = processUsage(server.pid);
      const rss = after?.rss ?? 0;
      // CPU time the server spent per call: unlike req/s, barely moved by other work on the machine.
      const cpuUsPerCall = before && after && result.calls ? Math.round(((after.cpuMs - before.cpuMs) * 1000) / result.calls) : 0;
      process.stderr.write(
        `  round ${round + 1}  ${row.id.padEnd(22)} ${result.perSecond.toLocaleString('en-US').padStart(7)} req/s  p50 ${result.p50.toFixed(2)}  p99 ${result.p99.toFixed(2)} ms  RSS ${Math.round(rss / 2 ** 20)} MB  CPU ${cpuUsPerCall} µs/call${result.errors ? `  errors ${result.errors} (${result.firstError})` : ''}\n`,
      );
      row.runs.push({ ...result, rss, cpuUsPerCall });
    } catch (error) {
      row.skipped = `did not serve the lookup: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`;
      process.stderr.write(`  ${row.id}: ${row.skipped}\n`);
    } finally {
      await server?.stop();
    }
  }
}

// Open loop, after the closed rounds, for ours and the limit at one rate for
// both: --open-rate, or half the slower one's closed-loop median if lower, so
// neither is past saturation (a queue would measure the machine, not the server).
const openPeers = rows.filter((row) => OPEN_LOOP_PEERS.has(row.id) && files.has(row.id) && !row.skipped && row.runs.length);
const slowest = Math.min(...openPeers.map((row) => median(row.runs.map((r) => r.perSecond))));
const openAt = Math.max(1, Math.round(Math.min(openRate, slowest / 2)));
const opened = new Map<string, OpenLoadResult[]>();
if (openPeers.length) process.stderr.write(`open loop at ${openAt.toLocaleString('en-US')} calls/s (asked ${openRate}), ${rounds} rounds × ${openDurationMs / 1000} s\n`);
for (let round = 0; openPeers.length && round < rounds; round++) {
  for (const row of round % 2 ? [...openPeers].reverse() : openPeers) {
    let server: Launched | undefined;
    try {
      server = await launch(process.execPath, [files.get(row.id)!], { ...builtEnv(), ...(row.id === 'ours' && OURS_ENV) }, 30_000);
      await probe(server.url);
      await closedLoad(server.url, connections, warmupMs);
      const open = await openLoad(server.url, openAt, openDurationMs);
      opened.set(row.id, [...(opened.get(row.id) ?? []), open]);
      process.stderr.write(
        `  round ${round + 1}  ${row.id.padEnd(22)} open loop @${openAt}/s: p50 ${open.p50.toFixed(2)}  p99 ${open.p99.toFixed(2)}  p99.9 ${open.p999.toFixed(2)} ms${open.errors ? `  errors ${open.errors} (${open.firstError})` : ''}\n`,
      );
    } catch (error) {
      process.stderr.write(`  ${row.id}: open loop failed: ${(error as Error).message.split('\n')[0]}\n`);
    } finally {
      await server?.stop();
    }
  }
}

for (const row of rows) {
  if (row.runs.length === 0) continue;
  row.perSecond = Math.round(median(row.runs.map((r) => r.perSecond)));
  row.p50 = Number(median(row.runs.map((r) => r.p50)).toFixed(2));
  row.p99 = Number(median(row.runs.map((r) => r.p99)).toFixed(2));
  row.rssMB = Math.round(median(row.runs.map((r) => r.rss)) / 2 ** 20);
  row.cpuUsPerCall = Math.round(median(row.runs.map((r) => r.cpuUsPerCall)));
  row.errors = row.runs.reduce((sum, r) => sum + r.errors, 0);
  const opens = opened.get(row.id) ?? [];
  if (opens.length) {
    const figure = (pick: (o: OpenLoadResult) => number) => Number(median(opens.map(pick)).toFixed(2));
    row.open = { rate: openAt, p50: figure((o) => o.p50), p99: figure((o) => o.p99), p999: figure((o) => o.p999), errors: opens.reduce((sum, o) => sum + o.errors, 0) };
  }
}

// RSS over a fixed number of calls over HTTP (not in-process): sampled after
// a warm-up of 10 000 calls, then every 10 000, to the end. Flat means the
// growth after warm-up stays within a few MB, not proportional to calls.
interface RssFlat { calls: number; errors: number; seconds: number; samplesMB: number[]; growthMB: number }
let rssFlat: RssFlat | undefined;
const oursFile = files.get('ours');
if (rssCalls > 0 && oursFile && selected.some((p) => p.id === 'ours')) {
  let server: Launched | undefined;
  try {
    server = await launch(process.execPath, [oursFile], { ...builtEnv(), ...OURS_ENV }, 30_000);
    await probe(server.url);
    const rssMB = () => Math.round(((processUsage(server!.pid)?.rss ?? 0) / 2 ** 20) * 10) / 10;
    const warm = await countedLoad(server.url, connections, 10_000, 60_000, 10_000, () => {});
    const samplesMB = [rssMB()];
    const every = Math.max(1, Math.round(rssCalls / 10));
    const run = await countedLoad(server.url, connections, rssCalls, 120_000, every, () => samplesMB.push(rssMB()));
    if (run.calls % every !== 0) samplesMB.push(rssMB());
    rssFlat = {
      calls: run.calls,
      errors: run.errors + warm.errors,
      seconds: Math.round(run.ms / 100) / 10,
      samplesMB,
      growthMB: Math.round((samplesMB[samplesMB.length - 1]! - samplesMB[0]!) * 10) / 10,
    };
    process.stderr.write(`  ours: RSS over ${run.calls.toLocaleString('en-US')} calls after a 10 000-call warm-up: ${samplesMB.join(' → ')} MB\n`);
  } catch (error) {
    process.stderr.write(`  ours: RSS-flat run failed: ${(error as Error).message.split('\n')[0]}\n`);
  } finally {
    await server?.stop();
  }
}

const ours = rows.find((r) => r.id === 'ours');
const table: string[] = ['', `${'server'.padEnd(44)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'RSS MB'.padStart(8)}${'CPU µs/call'.padStart(13)}${'ours ÷ it'.padStart(11)}`];
for (const row of rows) {
  if (!row.perSecond) {
    table.push(`${row.label.padEnd(44)}  skipped: ${row.skipped ?? 'no runs'}`);
    continue;
  }
  const ratio = ours?.perSecond && row.id !== 'ours' ? `${(ours.perSecond / row.perSecond).toFixed(2)}×` : '';
  table.push(`${row.label.padEnd(44)}${row.perSecond.toLocaleString('en-US').padStart(9)}${row.p50!.toFixed(2).padStart(9)}${row.p99!.toFixed(2).padStart(9)}${String(row.rssMB).padStart(8)}${String(row.cpuUsPerCall).padStart(13)}${ratio.padStart(11)}`);
}
const limit = rows.find((r) => r.id === 'hand-written');
if (ours?.perSecond && limit?.perSecond) table.push('', `ours reaches ${Math.round((ours.perSecond / limit.perSecond) * 100)} % of the hand-written limit`);
const openRows = rows.filter((row) => row.open);
if (openRows.length) {
  table.push('', `Open loop at ${openAt.toLocaleString('en-US')} calls/s (latency from each call's scheduled time), medians over rounds:`);
  for (const row of openRows) {
    const o = row.open!;
    table.push(`  ${row.label.padEnd(44)} p50 ${o.p50.toFixed(2).padStart(6)}  p99 ${o.p99.toFixed(2).padStart(6)}  p99.9 ${o.p999.toFixed(2).padStart(6)} ms${o.errors ? `  errors ${o.errors}` : ''}`);
  }
}
if (rssFlat) {
  table.push('', `Ours, RSS over ${rssFlat.calls.toLocaleString('en-US')} calls over HTTP (${rssFlat.seconds} s, after a 10 000-call warm-up): ${rssFlat.samplesMB[0]} → ${rssFlat.samplesMB[rssFlat.samplesMB.length - 1]} MB (${rssFlat.growthMB >= 0 ? '+' : ''}${rssFlat.growthMB} MB)${rssFlat.errors ? `, errors ${rssFlat.errors}` : ''}`);
}
table.push('', 'Figures from one run on this machine; other work on it slows every server alike, so read the ratios.');
process.stdout.write(`${table.join('\n')}\n`);

const file = serverResultFile('bench-servers');
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, rounds, durationMs, warmupMs, connections, openRate: openAt, openDurationMs, rssFlat, rows: rows.map(({ runs, ...row }) => ({ ...row, runs, ...(opened.has(row.id) && { openRuns: opened.get(row.id) }) })) }, null, 2)}\n`,
);
process.stdout.write(`written to ${path.relative(root, file)}\n`);
