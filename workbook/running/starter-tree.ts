// The starters as published. Git history is their one copy: `reset` restores
// from it, and the engine's tests and agreement runs grade it, so a learner's
// work in chapters/ never changes what "the starter" means, not even work the
// learner committed.
//
// The published starter of a file is its version in the newest commit that is
// the project's, not the learner's. A commit that changed the file is the
// project's when any of these holds:
//  - a remote-tracking branch contains it (it came from the project, or was pushed);
//  - someone other than this clone's git user (user.email) wrote it (pulled in);
//  - it also changed the project's own code (solutions/, test/, bench/,
//    workbook/), which a learner working through chapters never edits; a
//    maintainer's starter change comes with its checks or solution.
// A learner's work-in-progress commits (theirs, local, chapters/ only) are
// skipped, however many. If every commit of a file fails all three, the newest
// is used and reset says so. WORKBOOK_STARTER_REF names a commit outright.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { engineSetting, root, starterGitPath, workbookDir } from '../paths.ts';
import type { ChapterSpec } from '../types.ts';

export interface PublishedStarter {
  text: string;
  /** The commit it was read from. */
  commit: string;
  /** Said when the choice of commit may surprise the reader. */
  note?: string;
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** The published starter of one learner file, or undefined if git does not have it. */
export function publishedStarter(chapter: ChapterSpec, file: string, cwd = root): PublishedStarter | undefined {
  const gitPath = starterGitPath(chapter, file);
  const show = (commit: string, note?: string): PublishedStarter | undefined => {
    const text = git(['show', `${commit}:${gitPath}`], cwd);
    return text === undefined ? undefined : { text, commit, ...(note ? { note } : {}) };
  };
  const setting = engineSetting('WORKBOOK_STARTER_REF');
  if (setting) return show(setting);
  const history = (git(['log', '--format=%H%x09%ae', '--diff-filter=AM', 'HEAD', '--', gitPath], cwd) ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit, email] = line.split('\t');
      return { commit: commit!, email: email ?? '' };
    });
  if (history.length === 0) return undefined;
  const me = git(['config', 'user.email'], cwd)?.trim() ?? '';
  const remotes = (git(['for-each-ref', '--format=%(refname)', 'refs/remotes'], cwd) ?? '').split('\n').filter(Boolean);
  const isProjects = ({ commit, email }: { commit: string; email: string }) =>
    !me ||
    email !== me ||
    remotes.some((ref) => git(['merge-base', '--is-ancestor', commit, ref], cwd) !== undefined) ||
    touchesProjectCode(commit, cwd);
  const published = history.find(isProjects);
  if (published) {
    const skipped = history.indexOf(published);
    return show(published.commit, skipped > 0 ? `skipped ${skipped} commit(s) of ${gitPath} that are your own work (${me})` : undefined);
  }
  return show(
    history[0]!.commit,
    `every commit of ${gitPath} here is your own (${me}): restored the latest, ${history[0]!.commit.slice(0, 9)}. ` +
      'If that is your work, find the starter with: git log -- ' +
      gitPath,
  );
}

/** Does the commit change the project's own code (not only files in chapters/)? */
function touchesProjectCode(commit: string, cwd: string): boolean {
  const files = (git(['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', commit], cwd) ?? '').split('\n');
  return files.some((name) => /^(solutions|test|bench|workbook)\//.test(name));
}

/** The published starter's text, or undefined if git does not have it. */
export function publishedStarterText(chapter: ChapterSpec, file: string, cwd = root): string | undefined {
  return publishedStarter(chapter, file, cwd)?.text;
}

export interface LearnerTree {
  /** Environment that points the engine at this tree instead of chapters/. */
  env: { WORKBOOK_LEARNER_ROOT: string };
  root: string;
  file(name: string): string;
  remove(): void;
}

/**
 * A throwaway learner tree inside .workbook/ (so packages still resolve) with a
 * copy of one chapter, from chapters/ or solutions/.
 */
export function temporaryLearnerTree(chapter: ChapterSpec, from: 'chapters' | 'solutions'): LearnerTree {
  mkdirSync(workbookDir, { recursive: true });
  const learnerRoot = mkdtempSync(path.join(workbookDir, 'learner-'));
  cpSync(path.join(root, from, chapter.slug), path.join(learnerRoot, chapter.slug), { recursive: true });
  return {
    env: { WORKBOOK_LEARNER_ROOT: learnerRoot },
    root: learnerRoot,
    file: (name) => path.join(learnerRoot, chapter.slug, name),
    remove: () => rmSync(learnerRoot, { recursive: true, force: true }),
  };
}

/** Write a chapter's published starter files into `dir` (the working copy for files git does not know yet). */
export function writePublishedStarter(chapter: ChapterSpec, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const working = path.join(root, 'chapters', chapter.slug);
  for (const file of chapter.files) {
    const text = publishedStarterText(chapter, file);
    if (text !== undefined) writeFileSync(path.join(dir, file), text);
    else if (existsSync(path.join(working, file))) cpSync(path.join(working, file), path.join(dir, file));
  }
}

/** A learner tree holding the published starter (working copy for files git does not know yet). */
export function publishedStarterTree(chapter: ChapterSpec): LearnerTree {
  mkdirSync(workbookDir, { recursive: true });
  const learnerRoot = mkdtempSync(path.join(workbookDir, 'learner-'));
  const dir = path.join(learnerRoot, chapter.slug);
  writePublishedStarter(chapter, dir);
  return {
    env: { WORKBOOK_LEARNER_ROOT: learnerRoot },
    root: learnerRoot,
    file: (name) => path.join(dir, name),
    remove: () => rmSync(learnerRoot, { recursive: true, force: true }),
  };
}

/** Earlier names, kept for code written against them. */
export const committedStarterText = publishedStarterText;
export const committedStarterTree = publishedStarterTree;
