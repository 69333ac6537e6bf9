// Where a server's time goes: summarise a V8 .cpuprofile (node --cpu-prof) by
// area (the MCP SDK, zod, node's HTTP and sockets, our code, GC…) and list
// the functions with the most self time.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof .workbook/build/server.mjs   # load it, then SIGTERM
//   node --import tsx server/bench/cpu-profile.ts /tmp/prof/CPU.*.cpuprofile
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const AREAS: Array<[string, RegExp]> = [
  ['zod (SDK schema checks, tool arguments)', /node_modules\/zod\//],
  ['MCP SDK', /@modelcontextprotocol\/sdk\//],
  ['undici / pino / lru-cache / other packages', /node_modules\//],
  ['node HTTP, streams, sockets', /^node:(_http|http|net|stream|internal\/streams|internal\/http|events|internal\/timers|internal\/process|buffer|internal\/buffer|internal\/abort|internal\/event_target)/],
  ['node, other', /^node:/],
  ['our server and the solutions', /\.workbook\/build\/|\/server\/|\/solutions\//],
];

function areaOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 / native';
  if (!url) return functionName === 'writev' || functionName === 'writeUtf8String' || functionName === 'writeBuffer' ? 'socket writes (native)' : 'V8 / native';
  return AREAS.find(([, pattern]) => pattern.test(url))?.[0] ?? 'other';
}

export function summarise(profile: Profile, top = 15): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of self) {
    const node = byId.get(id)!;
    const area = areaOf(node);
    if (area === 'idle') continue;
    busy += micros;
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|solutions|\.workbook)\//, '$1/')}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const share = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`busy ${(busy / 1000).toFixed(0)} ms`, '', 'by area:'];
  for (const [area, micros] of [...areas].sort((a, b) => b[1] - a[1])) lines.push(`  ${share(micros)}  ${area}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${share(micros)}  ${name}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpu-profile.ts <file.cpuprofile>');
  console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile));
}
