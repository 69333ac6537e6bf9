// node --import tsx workbook/profiles/render-profile.ts <file.cpuprofile>… [--collapsed]
//
// Draws each .cpuprofile (from `node --cpu-prof`, DevTools or the chapter 9
// bench) as a flame graph SVG beside it and lists its hottest functions, or
// prints its collapsed stacks. `--cpu-prof` writes one file per thread: under
// tsx, `.0.` in the name is the main thread, `.1.` tsx's loader thread.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../paths.ts';
import { collapseProfile, collapsedText, frameLabel, hotFunctions, renderFlameGraph, type CollapsedStack, type CpuProfile } from './flamegraph.ts';

const args = process.argv.slice(2);
const inputs = args.filter((a) => a.endsWith('.cpuprofile'));
if (inputs.length === 0) {
  console.error('usage: node --import tsx workbook/profiles/render-profile.ts <file.cpuprofile>… [--collapsed]');
  process.exit(2);
}
const inRepository = (file: string) => file !== '' && !file.startsWith('node:') && !path.isAbsolute(file) && !file.includes('node_modules');

for (const input of inputs) {
  const stacks = withoutMinifiedLines(collapseProfile(JSON.parse(readFileSync(input, 'utf8')) as CpuProfile, { root }));
  if (args.includes('--collapsed')) {
    console.log(collapsedText(stacks));
    continue;
  }
  const svgPath = input.replace(/\.cpuprofile$/, '.svg');
  writeFileSync(svgPath, renderFlameGraph(stacks, { title: path.basename(input), highlight: (f) => inRepository(f.file) }));
  const samples = stacks.reduce((sum, s) => sum + s.samples, 0);
  console.log(`\n${path.relative(process.cwd(), input)}: ${samples} samples, flame graph ${path.relative(process.cwd(), svgPath)}`);
  for (const hot of hotFunctions(stacks).slice(0, 8)) {
    console.log(`  ${(hot.selfShare * 100).toFixed(1).padStart(5)} % self  ${(hot.totalShare * 100).toFixed(1).padStart(5)} % total  ${frameLabel(hot.frame)}`);
  }
}

/**
 * tsx runs whitespace-minified JavaScript, so every function of a TypeScript
 * file sits on "line 1" of what V8 saw: say nothing rather than something wrong.
 * (The chapter 9 bench maps its own profiles back through the source maps.)
 */
function withoutMinifiedLines(stacks: CollapsedStack[]): CollapsedStack[] {
  const minified = (file: string, line: number) => line === 1 && /\.[cm]?tsx?$/.test(file);
  return stacks.map((s) => ({ ...s, frames: s.frames.map((f) => (minified(f.file, f.line) ? { ...f, line: 0 } : f)) }));
}
