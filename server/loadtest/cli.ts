// npm run loadtest -- [--url http://127.0.0.1:3000/mcp | --command "node server.js --stdio"]
//   [--connections 32] [--duration 10] [--warmup 2] [--rate N] [--tools a,b] [--args '{"tool":{…}}'] [--json]
// Without --url or --command it builds and starts the reference server itself
// (and then also reports its RSS and CPU). Loopback targets only.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serverResultFile } from '../../workbook/grading/results.ts';
import { buildServer, builtEnv } from '../build.ts';
import { exitWithUsage, parseCommandLine, positiveNumber, UsageError } from '../cli-args.ts';
import { launch, type Launched } from '../launch.ts';
import { httpDriver, stdioDriver, type Driver } from './drivers.ts';
import { printReport } from './report.ts';
import { runLoadTest } from './run.ts';

const MAX_DURATION_S = 60;

const USAGE = `
Usage: npm run loadtest -- [options]

Scores an MCP server against the guide's targets: a closed loop (--connections
callers, as fast as they can) then an open loop at a fixed rate (--rate), both
after a warm-up; prints req/s, p50/p95/p99 per tool class, errors, and the
server's RSS and CPU when the load test started it.

Target (default: build and start the reference server):
  --url URL            a Streamable HTTP endpoint on loopback, e.g. http://127.0.0.1:3000/mcp
  --command "CMD"      a stdio server to start, e.g. "node server.js --stdio"
Load:
  --connections N      closed-loop callers / HTTP connections (default 32, max 1024)
  --duration S         seconds per phase (default 10, max ${MAX_DURATION_S})
  --warmup S           seconds of warm-up, discarded (default 2, max 30)
  --rate N             open-loop calls per second (default: half the closed-loop rate)
  --tools a,b          only these tools (default: every read-only tool that answers a probe)
  --args JSON          fixed arguments per tool, e.g. '{"lookup":{"key":"item-1"}}'
Output:
  --json               the report as JSON on stdout
  --out FILE           where to write the report (default .workbook/results/server/loadtest.json)
  -h, --help           this text
`;

const values = parseCommandLine(
  {
    url: { type: 'string' },
    command: { type: 'string' },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rate: { type: 'string' },
    tools: { type: 'string' },
    args: { type: 'string' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  USAGE,
);

function loopbackOnly(url: string): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL`);
  }
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) {
    throw new UsageError(`--url ${url}: the load test only targets loopback (127.0.0.1, localhost, [::1])`);
  }
}

function jsonObject(name: string, text: string | undefined): Record<string, Record<string, unknown>> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, Record<string, unknown>>;
  } catch {
    // answered below
  }
  throw new UsageError(`--${name} must be a JSON object such as '{"lookup":{"key":"item-1"}}'`);
}

let connections: number, durationMs: number, warmupMs: number, rate: number | undefined, fixedArgs: Record<string, Record<string, unknown>> | undefined;
try {
  connections = positiveNumber('connections', values.connections, 1024);
  durationMs = positiveNumber('duration', values.duration, MAX_DURATION_S) * 1000;
  warmupMs = positiveNumber('warmup', values.warmup, 30) * 1000;
  rate = values.rate === undefined ? undefined : positiveNumber('rate', values.rate, 200_000);
  fixedArgs = jsonObject('args', values.args);
  if (values.url && values.command) throw new UsageError('give --url or --command, not both');
  if (values.url) loopbackOnly(values.url);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  exitWithUsage(error.message, USAGE);
}
const tools = values.tools?.split(',').map((t) => t.trim()).filter(Boolean);

let started: Launched | undefined;
let driver: Driver;
let target: string;
if (values.url) {
  driver = httpDriver(values.url, connections);
  target = values.url;
} else if (values.command) {
  driver = stdioDriver(values.command);
  target = `stdio: ${values.command}`;
} else {
  const file = await buildServer();
  started = await launch(process.execPath, [file], builtEnv());
  driver = httpDriver(started.url, connections);
  target = `${started.url} (the reference server, started by the load test)`;
}

const interactive = process.stderr.isTTY && !values.json;
const progress = (line: string, final = false) => {
  if (values.json && !final) return;
  if (interactive && !final) process.stderr.write(`\r\x1b[2K${line}`);
  else process.stderr.write(`${interactive ? '\r\x1b[2K' : ''}${line}\n`);
};

try {
  const report = await runLoadTest(
    { driver, pid: started?.pid ?? driver.pid, connections, durationMs, warmupMs, rate, tools, args: fixedArgs, progress },
    target,
  );
  const file = values.out ?? serverResultFile('loadtest');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(report, file);
  process.exitCode = report.pass ? 0 : 1;
} catch (error) {
  console.error(`load test failed: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await driver.close();
  await started?.stop();
}
