// The lessons, compiled by @astrojs/mdx straight from chapters/*/lesson.mdx.
// A glob, so a lesson that lands while `npm run site` runs is picked up.
import type { MarkdownHeading } from 'astro';
import type { ChapterSpec } from '../../../workbook/types.ts';

type LessonModule = { default: (props: Record<string, unknown>) => unknown; getHeadings(): MarkdownHeading[] };

const lessons = import.meta.glob<LessonModule>('../../../chapters/*/lesson.mdx');

/** The lesson's compiled Content and its headings (for the table of contents), or undefined while it is not written yet. */
export async function lessonContent(
  chapter: ChapterSpec,
): Promise<{ Content: LessonModule['default']; headings: MarkdownHeading[] } | undefined> {
  const load = lessons[`../../../chapters/${chapter.slug}/lesson.mdx`];
  if (!load) return undefined;
  const lesson = await load();
  // rehype-lesson-headings moves a lesson's own h1 down a level; the ToC follows the page.
  const shift = lesson.getHeadings().some((h) => h.depth === 1) ? 1 : 0;
  return { Content: lesson.default, headings: lesson.getHeadings().map((h) => ({ ...h, depth: h.depth + shift })) };
}
