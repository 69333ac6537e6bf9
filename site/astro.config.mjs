// The workbook's site. It renders from the same files the CLI reads: the
// manifest, chapters/*/lesson.mdx, the starter and solution sources, and the
// results under .workbook/. Nothing of a lesson or its code is copied here.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { rehypeLessonHeadings } from './rehype-lesson-headings.mjs';
import { keepSourceUrls, liveResults } from './vite-plugins.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default defineConfig({
  // Only the live-results island needs client JavaScript; the toolbar would add more.
  devToolbar: { enabled: false },
  server: { host: '127.0.0.1' },
  trailingSlash: 'ignore',
  integrations: [mdx({ rehypePlugins: [rehypeLessonHeadings] })],
  markdown: {
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' } },
  },
  vite: {
    // Lessons, sources and the manifest live at the repository root, outside site/.
    server: { fs: { allow: [root] } },
    plugins: [keepSourceUrls(root), liveResults()],
  },
});
