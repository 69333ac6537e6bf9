// The lessons, compiled by @astrojs/mdx straight from chapters/*/lesson.mdx.
// A glob, so a lesson that lands while `npm run site` runs is picked up.
import type { ChapterSpec } from '../../../workbook/types.ts';

type LessonModule = { default: (props: Record<string, unknown>) => unknown };

const lessons = import.meta.glob<LessonModule>('../../../chapters/*/lesson.mdx');

/** The lesson's compiled Content component, or undefined while it is not written yet. */
export async function lessonContent(chapter: ChapterSpec): Promise<LessonModule['default'] | undefined> {
  const load = lessons[`../../../chapters/${chapter.slug}/lesson.mdx`];
  return load ? (await load()).default : undefined;
}
