// Every chapter's published starter (what git has for chapters/, or the working
// copy for a file git does not know yet), written into a scratch learner root.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chapters } from '../../workbook/manifest.ts';
import { root } from '../../workbook/paths.ts';
import { publishedStarterText } from '../../workbook/running/starter-tree.ts';

export function writePublishedStarters(dir: string): void {
  for (const chapter of chapters) {
    mkdirSync(path.join(dir, chapter.slug), { recursive: true });
    for (const file of chapter.files) {
      const text = publishedStarterText(chapter, file) ?? readFileSync(path.join(root, 'chapters', chapter.slug, file), 'utf8');
      writeFileSync(path.join(dir, chapter.slug, file), text);
    }
  }
}
