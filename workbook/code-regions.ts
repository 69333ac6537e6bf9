// Lessons show code from the repository, never pasted copies: an MDX lesson
// writes <Code file="solutions/…/x.ts" region="name" /> and the site renders
// the lines between `// #region name` and `// #endregion` of that file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './paths.ts';

export interface CodeReference {
  file: string;
  region?: string;
}

/** Every <Code …/> a lesson refers to. */
export function codeReferences(mdx: string): CodeReference[] {
  const references: CodeReference[] = [];
  for (const tag of mdx.matchAll(/<Code\b([^>]*)\/>/g)) {
    const attrs = Object.fromEntries([...tag[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (attrs.file) references.push({ file: attrs.file, ...(attrs.region ? { region: attrs.region } : {}) });
  }
  return references;
}

/** The text of a region (or the whole file), with its marker lines removed. */
export function readRegion({ file, region }: CodeReference): string {
  const text = readFileSync(path.join(root, file), 'utf8');
  const lines = text.split('\n');
  const isMarker = (line: string) => /^\s*\/\/ #(end)?region\b/.test(line);
  if (!region) return lines.filter((line) => !isMarker(line)).join('\n').trimEnd();
  const start = lines.findIndex((line) => new RegExp(`^\\s*// #region ${region}\\s*$`).test(line));
  if (start < 0) throw new Error(`${file} has no "// #region ${region}"`);
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^\\s*// #endregion( ${region})?\\s*$`).test(line));
  if (end < 0) throw new Error(`${file}: region "${region}" has no "// #endregion"`);
  return dedent(lines.slice(start + 1, end).filter((line) => !isMarker(line)));
}

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n').trimEnd();
}
