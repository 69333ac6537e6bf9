// node --cpu-prof --cpu-prof-dir=.workbook/profiles --import tsx bench/09-profiling-and-debugging/profile-search.ts [--solution]
//
// A workload to profile: your search tool (chapters/, or solutions/ with
// --solution) answering the chapter's seeded queries over 400 documents for
// about two seconds. Run it under --cpu-prof and draw the profile with
// workbook/profiles/render-profile.ts.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from '../../workbook/paths.ts';
import { countingCorpus, sampleDocuments, sampleQueries } from '../../test/chapters/09-profiling-and-debugging/corpus.ts';

type SearchModule = typeof import('../../solutions/09-profiling-and-debugging/search-tool.ts');

const BUDGET_MS = 2_000;
const tree = process.argv.includes('--solution') ? 'solutions' : 'chapters';
const { createSearchTool } = (await import(pathToFileURL(path.join(root, tree, '09-profiling-and-debugging', 'search-tool.ts')).href)) as SearchModule;

const tool = createSearchTool(countingCorpus(sampleDocuments({ documents: 400 })));
const queries = sampleQueries(8);
const started = performance.now();
let searches = 0;
while (performance.now() - started < BUDGET_MS && searches < 100_000) tool.search(queries[searches++ % queries.length]!);
const elapsed = performance.now() - started;
console.log(`${searches} searches in ${(elapsed / 1000).toFixed(1)} s: ${(elapsed / searches).toFixed(3)} ms each (${tree})`);
