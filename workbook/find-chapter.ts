// Finding a chapter from what a person typed: "1", "01", "chapter-1" or a slug.
import { chapters } from './manifest.ts';
import type { ChapterSpec } from './types.ts';

export class UnknownChapterError extends Error {
  constructor(readonly input: string) {
    super(`There is no chapter "${input}".\n\n${chapterList()}`);
    this.name = 'UnknownChapterError';
  }
}

export function findChapter(input: string | number): ChapterSpec {
  const text = String(input).trim().toLowerCase();
  const number = /^\d+$/.test(text) ? Number(text) : undefined;
  const found = chapters.find(
    (chapter) => chapter.number === number || chapter.slug === text || chapter.slug.slice(3) === text,
  );
  if (found) return found;
  throw new UnknownChapterError(text);
}

export function chapterList(): string {
  const written = chapters.map((c) => `  ${String(c.number).padStart(2)}  ${c.title}`);
  return ['Chapters:', ...written, '', 'Run one with: npm run chapter 1'].join('\n');
}
