// "The starter" means the starter as the project published it: not the
// learner's working copy, not a commit of their own work in progress. And the
// engine's own tests run on scratch copies, whatever the learner has done.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { findChapter } from '../../workbook/find-chapter.ts';
import { chapters } from '../../workbook/manifest.ts';
import { backupsDir, progressDir, resultsDir, root } from '../../workbook/paths.ts';
import { publishedStarter, publishedStarterText } from '../../workbook/running/starter-tree.ts';
import { scratchEnv } from '../support/cli.ts';

const chapter = findChapter(1);
const file = 'search-server.ts';
const gitPath = `chapters/${chapter.slug}/${file}`;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'workbook-git-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function commitAs(repo: string, email: string, text: string, message: string, also: Record<string, string> = {}): string {
  for (const [name, content] of Object.entries({ [gitPath]: text, ...also })) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), content);
  }
  git(repo, 'add', '-A');
  git(repo, '-c', `user.email=${email}`, '-c', 'user.name=someone', 'commit', '-qm', message);
  return git(repo, 'rev-parse', 'HEAD').trim();
}

/** The project's repository with two published versions of the starter, and a learner's clone of it. */
function projectAndClone() {
  const project = path.join(mkdtempSync(path.join(scratch, 'p-')), 'project');
  mkdirSync(project);
  git(project, 'init', '-q');
  commitAs(project, 'author@project.example', 'starter v1\n', 'chapter 1', { 'solutions/01/x.ts': '1' });
  const published = commitAs(project, 'editor@project.example', 'starter v2\n', 'chapter 1: clearer starter', { 'test/chapters/01/checks.ts': '2' });
  const clone = path.join(path.dirname(project), 'clone');
  git(path.dirname(project), 'clone', '-q', project, clone);
  git(clone, 'config', 'user.email', 'learner@example.com');
  return { project, clone, published };
}

test('a learner’s own commits of work in progress are not the starter: the project’s latest version is', () => {
  const { clone, published } = projectAndClone();
  commitAs(clone, 'learner@example.com', 'my work in progress\n', 'wip');
  // `git commit -a` after an npm install: still the learner's work.
  commitAs(clone, 'learner@example.com', 'more work\n', 'wip 2', { 'package-lock.json': '{}' });
  const starter = publishedStarter(chapter, file, clone);
  expect(starter?.text).toBe('starter v2\n');
  expect(starter?.commit).toBe(published);
  expect(starter?.note).toMatch(/skipped 2 commit\(s\) of .* that are your own work \(learner@example\.com\)/);
});

test('without a remote the learner’s commits are still told apart; a maintainer’s new starter (with its checks) is the starter', () => {
  const { project, clone } = projectAndClone();
  git(clone, 'remote', 'remove', 'origin');
  commitAs(clone, 'learner@example.com', 'wip\n', 'wip');
  expect(publishedStarterText(chapter, file, clone)).toBe('starter v2\n');
  // The maintainer who wrote v2 changes the starter and its checks, not pushed anywhere yet.
  git(project, 'config', 'user.email', 'editor@project.example');
  commitAs(project, 'editor@project.example', 'starter v3\n', 'chapter 1: v3', { 'test/chapters/01/checks.ts': '3' });
  expect(publishedStarter(chapter, file, project)?.text).toBe('starter v3\n');
});

test('a commit of the learner’s that was pushed to the project’s remote counts as published', () => {
  const { clone } = projectAndClone();
  commitAs(clone, 'learner@example.com', 'pushed version\n', 'shared with the team');
  git(clone, 'push', '-q', 'origin', 'HEAD:refs/heads/shared');
  git(clone, 'fetch', '-q', 'origin');
  expect(publishedStarterText(chapter, file, clone)).toBe('pushed version\n');
});

test('a file git never had has no published starter', () => {
  const { clone } = projectAndClone();
  expect(publishedStarter(chapter, 'not-a-file.ts', clone)).toBeUndefined();
});

test('the engine’s tests score a scratch copy of the published starters and write to scratch folders only', () => {
  const env = scratchEnv();
  const learnerFolders = [path.join(root, 'chapters'), resultsDir, backupsDir, progressDir];
  for (const key of ['WORKBOOK_RESULTS_DIR', 'WORKBOOK_BACKUPS_DIR', 'TEAM_PROGRESS_DIR', 'WORKBOOK_LEARNER_ROOT'] as const) {
    const dir = path.resolve(env[key]!);
    for (const folder of learnerFolders) expect(dir.startsWith(folder), `${key}=${dir} is inside ${folder}`).toBe(false);
  }
  for (const each of chapters) {
    for (const name of each.files) {
      const published = publishedStarterText(each, name);
      if (published === undefined) continue; // Not committed yet: the working copy stands in.
      expect(readFileSync(path.join(env.WORKBOOK_LEARNER_ROOT!, each.slug, name), 'utf8'), `${each.slug}/${name}`).toBe(published);
    }
  }
  // A few git commands per starter file (about 40 files): 1.7 s on a quiet
  // machine, 28 s at a load average of 10. Bounded work; its time is not the point.
}, 90_000);
