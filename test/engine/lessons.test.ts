import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { codeReferences, readRegion } from '../../workbook/code-regions.ts';
import { relative, workbookDir } from '../../workbook/paths.ts';
import { mkdirSync } from 'node:fs';

test('codeReferences finds file and region attributes', () => {
  const mdx = 'Text\n<Code file="solutions/a.ts" region="cache" />\n<Code file="chapters/b.ts"/>';
  expect(codeReferences(mdx)).toEqual([{ file: 'solutions/a.ts', region: 'cache' }, { file: 'chapters/b.ts' }]);
});

test('readRegion returns the dedented lines between markers, without nested markers', () => {
  mkdirSync(workbookDir, { recursive: true });
  const dir = mkdtempSync(path.join(workbookDir, 'lesson-'));
  const file = path.join(dir, 'x.ts');
  writeFileSync(file, ['a', '  // #region body', '  one', '  // #region inner', '    two', '  // #endregion inner', '  // #endregion body', 'z'].join('\n'));
  expect(readRegion({ file: relative(file), region: 'body' })).toBe('one\n  two');
  expect(readRegion({ file: relative(file) })).toBe('a\n  one\n    two\nz');
  expect(() => readRegion({ file: relative(file), region: 'missing' })).toThrow(/no "\/\/ #region missing"/);
  rmSync(dir, { recursive: true, force: true });
});
