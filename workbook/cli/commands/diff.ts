// Your file beside the reference, only when you ask for it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { dim } from '../format.ts';
import { chapterDir, relative, root } from '../../paths.ts';
import type { ChapterSpec } from '../../types.ts';

export function showDiff(chapter: ChapterSpec): number {
  console.log(dim('Spoilers below: the reference solution (−) against your file (+).\n'));
  for (const file of chapter.files) {
    const reference = relative(path.join(chapterDir('solutions', chapter), file));
    const yours = relative(path.join(chapterDir('chapters', chapter), file));
    const result = spawnSync('git', ['diff', '--no-index', `--color=${process.stdout.isTTY ? 'always' : 'never'}`, reference, yours], {
      cwd: root,
      encoding: 'utf8',
    });
    if (result.error) {
      console.error(`Could not run git to compare ${yours} with ${reference}: ${result.error.message}`);
      return 2;
    }
    process.stdout.write(result.stdout || `${yours} is identical to the reference.\n`);
  }
  return 0;
}
