// The next hint: for the first thing your last run failed, or the first check
// if you have not run the chapter yet.
import { bold, dim, yellow } from '../format.ts';
import { failedIds } from '../../grading/grade.ts';
import { loadHistory } from '../../grading/results.ts';
import type { ChapterSpec } from '../../types.ts';

export async function showHints(chapter: ChapterSpec): Promise<number> {
  const last = (await loadHistory(chapter, 'chapters')).at(-1);
  const items = [...chapter.checks, ...chapter.metrics];
  if (!last) {
    console.log(dim(`No run of chapter ${chapter.number} yet: here is where to start.`));
    const first = items[0]!;
    console.log(`${yellow('Hint')} (${first.id}): ${first.hint}`);
    return 0;
  }
  const failed = failedIds(last);
  if (failed.length === 0) {
    console.log(`Your last run passed everything. ${bold('Nice.')} Try the next chapter.`);
    return 0;
  }
  const next = items.find((item) => item.id === failed[0])!;
  console.log(`${yellow('Hint')} (${next.id}): ${next.hint}`);
  if (failed.length > 1) console.log(dim(`\n${failed.length - 1} more to fix after this: ${failed.slice(1).join(', ')}`));
  return 0;
}
