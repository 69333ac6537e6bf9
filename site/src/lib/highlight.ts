// Syntax highlighting at build time with shiki: one highlighter for the whole
// build, light and dark themes in the same HTML (CSS picks one).
import { createHighlighter, type Highlighter } from 'shiki';

let highlighter: Promise<Highlighter> | undefined;

const languages = ['ts', 'js', 'json', 'sql', 'sh'] as const;

export function languageOf(file: string): string {
  const ext = file.split('.').pop() ?? '';
  if (ext === 'mts' || ext === 'cts' || ext === 'tsx') return 'ts';
  if (ext === 'mjs' || ext === 'cjs') return 'js';
  return (languages as readonly string[]).includes(ext) ? ext : 'text';
}

export async function highlight(code: string, lang: string): Promise<string> {
  highlighter ??= createHighlighter({ themes: ['github-light', 'github-dark'], langs: [...languages] });
  const h = await highlighter;
  return h.codeToHtml(code, {
    lang: (languages as readonly string[]).includes(lang) ? lang : 'text',
    themes: { light: 'github-light', dark: 'github-dark' },
  });
}
