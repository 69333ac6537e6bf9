// node --import tsx workbook/profiles/save-reference-profile.ts <slug>
//
// (maintainers) After `npm run chapter N -- --solution --save-reference`:
// copies the reference solution's last CPU profile to bench/<slug>/reference.cpuprofile,
// with paths inside the repository made relative so it reads the same in any
// clone. The chapter page shows it until the learner has a profile of their own.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { baselineProfileFile, profileFile } from '../grading/results.ts';
import { relative, root } from '../paths.ts';
import type { CpuProfile } from './flamegraph.ts';

const [slug] = process.argv.slice(2);
if (!slug) {
  console.error('usage: node --import tsx workbook/profiles/save-reference-profile.ts <chapter slug>');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(profileFile(slug, 'solutions'), 'utf8')) as CpuProfile;
const prefix = `${pathToFileURL(root).href}/`;
for (const node of profile.nodes) {
  if (node.callFrame.url.startsWith(prefix)) node.callFrame.url = node.callFrame.url.slice(prefix.length);
}
writeFileSync(baselineProfileFile(slug), JSON.stringify(profile));
console.log(`wrote ${relative(baselineProfileFile(slug))}`);
