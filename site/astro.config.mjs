// The workbook's site: Starlight (sidebar, table of contents, search, themes,
// mobile navigation) around pages rendered from the same files the CLI reads —
// the manifest, chapters/*/lesson.mdx, the starter and solution sources, and
// the results under .workbook/. Nothing of a lesson or its code is copied here.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import starlight from '@astrojs/starlight';
import { chapters } from '../workbook/manifest.ts';
import { rehypeLessonHeadings } from './rehype-lesson-headings.mjs';
import { keepSourceUrls, liveResults } from './vite-plugins.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default defineConfig({
  devToolbar: { enabled: false },
  server: { host: '127.0.0.1' },
  trailingSlash: 'ignore',
  integrations: [
    starlight({
      title: 'Fast MCP servers',
      description: 'A TypeScript workbook: build MCP servers that stay fast under load, graded against real targets.',
      favicon: '/favicon.svg',
      customCss: ['./src/styles/workbook.css'],
      tableOfContents: { minHeadingLevel: 2, maxHeadingLevel: 3 },
      components: {
        // The right-hand column carries the learner's scorecard under the table of contents.
        PageSidebar: './src/components/PageSidebar.astro',
      },
      sidebar: [
        { label: 'Start here', link: '/' },
        {
          label: 'Chapters',
          items: chapters.map((chapter) => ({
            label: `${chapter.number}. ${chapter.title}`,
            link: `/chapters/${chapter.slug}/`,
          })),
        },
        { label: 'Team progress', link: '/team/' },
        { label: 'The reference server', link: '/server/' },
      ],
    }),
    // Starlight uses this MDX integration rather than adding its own.
    mdx({ rehypePlugins: [rehypeLessonHeadings] }),
  ],
  vite: {
    // Lessons, sources and the manifest live at the repository root, outside site/.
    server: { fs: { allow: [root] } },
    plugins: [keepSourceUrls(root), liveResults()],
  },
});
