// The manifest is the one source of truth: everything it names must exist,
// and everything on disk must be named by it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeReferences, readRegion } from '../../workbook/code-regions.ts';
import { chapters } from '../../workbook/manifest.ts';
import { benchFile, chapterDir, checkFile, lessonFile, root } from '../../workbook/paths.ts';
import { publishedStarterText } from '../../workbook/running/starter-tree.ts';
import type { ChapterSpec } from '../../workbook/types.ts';

/**
 * A starter as published (git), whatever the learner has done to chapters/
 * since; the working copy only for a file not committed yet (a chapter being written).
 */
function starterText(chapter: ChapterSpec, file: string): string | undefined {
  const published = publishedStarterText(chapter, file);
  if (published !== undefined) return published;
  const working = path.join(root, 'chapters', chapter.slug, file);
  return existsSync(working) ? readFileSync(working, 'utf8') : undefined;
}

describe.each(chapters.map((c) => [c.slug, c] as const))('%s', (_slug, chapter) => {
  test('slug starts with its two-digit number', () => {
    expect(chapter.slug.startsWith(`${String(chapter.number).padStart(2, '0')}-`)).toBe(true);
  });

  test('learner files exist in both trees', () => {
    for (const file of chapter.files) {
      expect(starterText(chapter, file) !== undefined, `chapters/${chapter.slug}/${file}`).toBe(true);
      expect(existsSync(path.join(chapterDir('solutions', chapter), file)), `solutions/${chapter.slug}/${file}`).toBe(true);
    }
  });

  test('chapters/ and solutions/ mirror each other', () => {
    const code = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts')) : []);
    const solutions = code(chapterDir('solutions', chapter)).sort();
    // The starters as published: a file the learner deleted still counts.
    const starters = [...new Set([...solutions, ...code(path.join(root, 'chapters', chapter.slug))])]
      .filter((file) => starterText(chapter, file) !== undefined)
      .sort();
    expect(starters).toEqual(solutions);
  });

  test('starter and solution differ (there is something to learn)', () => {
    const differs = chapter.files.some(
      (file) => starterText(chapter, file) !== readFileSync(path.join(chapterDir('solutions', chapter), file), 'utf8'),
    );
    expect(differs).toBe(true);
  });

  test('has a lesson, a check file and a bench', () => {
    expect(existsSync(lessonFile(chapter)), 'lesson.mdx').toBe(true);
    expect(existsSync(checkFile(chapter)), 'check file').toBe(true);
    expect(existsSync(benchFile(chapter)), 'bench file').toBe(true);
  });

  test('every check id is declared by the check file', () => {
    const source = readFileSync(checkFile(chapter), 'utf8');
    for (const { id } of chapter.checks) expect(source, `check('${id}', …)`).toContain(`check('${id}'`);
  });

  test('every metric id is reported by the measurements or by a check', () => {
    const source = readFileSync(benchFile(chapter), 'utf8') + readFileSync(checkFile(chapter), 'utf8');
    for (const { id } of chapter.metrics) expect(source, `report({ id: '${id}' … })`).toContain(`'${id}'`);
  });

  test('ids are unique and starterFails names only real ids', () => {
    const ids = [...chapter.checks, ...chapter.metrics].map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(chapter.starterFails).length).toBeGreaterThan(0);
    for (const id of Object.keys(chapter.starterFails)) expect(ids).toContain(id);
  });

  test('every <Code> in the lesson points at a real file and region', () => {
    const references = codeReferences(readFileSync(lessonFile(chapter), 'utf8'));
    expect(references.length, 'a lesson shows code from the repository').toBeGreaterThan(0);
    for (const reference of references) {
      expect(existsSync(path.join(root, reference.file)), reference.file).toBe(true);
      expect(readRegion(reference).length, `${reference.file}#${reference.region}`).toBeGreaterThan(0);
    }
  });
});

test('every chapter folder on disk is in the manifest', () => {
  const slugs = chapters.map((c) => c.slug);
  for (const tree of ['chapters', 'solutions', 'test/chapters', 'bench']) {
    // bench/ and test/ hold other things too (server benchmarks, shared support): numbered folders are chapters.
    const dirs = readdirSync(path.join(root, tree), { withFileTypes: true }).filter(
      (d) => d.isDirectory() && (tree === 'chapters' || tree === 'solutions' || /^\d\d-/.test(d.name)),
    );
    for (const dir of dirs) expect(slugs, `${tree}/${dir.name}`).toContain(dir.name);
  }
});

test('chapter numbers are 1, 2, 3… in order', () => {
  expect(chapters.map((c) => c.number)).toEqual(chapters.map((_, i) => i + 1));
});

test('the README lists every chapter under its manifest title', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const chapter of chapters) expect(readme, chapter.title).toContain(`| ${chapter.number} | ${chapter.title} |`);
});
