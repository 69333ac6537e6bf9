// The site in a real browser: builds it into a temp folder with seeded results
// and progress exports, serves it on 127.0.0.1 and drives Debian's Chromium
// through playwright-core; then starts `astro dev` and proves a new result file
// appears on the open page without a reload. Screenshots go to test-output/site/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chapters } from '../../workbook/manifest.ts';
import { root } from '../../workbook/paths.ts';
import type { ChapterSpec, Scorecard } from '../../workbook/types.ts';

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const screenshots = path.join(root, 'test-output', 'site');
const astroBin = path.join(root, 'node_modules', 'astro', 'astro.js');
const buildBudgetMs = 30_000;
const clientJsBudget = 30 * 1024;

const haveChromium = existsSync(chromiumPath);
if (!haveChromium && process.env.CI) {
  throw new Error(`${chromiumPath} is missing: the site's browser test needs Debian's chromium (apt-get install -y chromium).`);
}
if (!haveChromium) console.warn(`\n⚠ SKIPPING test/site/site.test.ts: ${chromiumPath} not found (apt-get install -y chromium).\n`);

/** A believable scorecard for a chapter: every check and metric from the manifest, `failing` ids failed. */
function scorecard(chapter: ChapterSpec, startedAt: string, failing: string[] = []): Scorecard {
  const verdict = (id: string) => (failing.includes(id) ? 'fail' : 'pass') as 'pass' | 'fail';
  return {
    chapter: { number: chapter.number, slug: chapter.slug, title: chapter.title },
    tree: 'chapters',
    verdict: failing.length ? 'fail' : 'pass',
    startedAt,
    durationMs: 1234,
    environment: { node: process.version, platform: 'linux-x64', cpu: 'test', cores: 2, backend: 'db:embedded cache:embedded' },
    checks: chapter.checks.map((c) => ({ id: c.id, title: c.title, verdict: verdict(c.id), ...(failing.includes(c.id) ? { message: 'seeded failure' } : {}) })),
    metrics: chapter.metrics.map((m) => {
      const lowerIsBetter = m.target.op.startsWith('<');
      const good = lowerIsBetter ? m.target.value * 0.4 : m.target.value * 1.05 || 1;
      const bad = lowerIsBetter ? m.target.value * 1.6 || 1 : m.target.value * 0.5;
      const measured = verdict(m.id) === 'pass' ? good : bad;
      const summary = m.kind === 'latency' ? { n: 50, min: measured * 0.5, p50: measured * 0.7, p95: measured, p99: measured * 1.2, max: measured * 1.3, mean: measured * 0.75 } : undefined;
      return { id: m.id, title: m.title, kind: m.kind, unit: m.unit, target: m.target, verdict: verdict(m.id), measured, ...(summary ? { summary } : {}) };
    }),
    problems: [],
  };
}

function writeResult(dir: string, card: Scorecard): void {
  const chapterDir = path.join(dir, card.chapter.slug);
  mkdirSync(chapterDir, { recursive: true });
  const body = `${JSON.stringify(card, null, 2)}\n`;
  writeFileSync(path.join(chapterDir, `${card.tree}-${card.startedAt.replace(/[:.]/g, '-')}.json`), body);
  writeFileSync(path.join(chapterDir, `latest-${card.tree}.json`), body);
}

/** Runs the astro CLI in `cwd` (astro wants the output folder inside its working directory). */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [astroBin, ...args], { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`astro ${args.join(' ')} took longer than ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** A tiny static server for the built site, bound to 127.0.0.1 on a free port. */
function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Client JavaScript a page loads: external scripts' bytes plus inline scripts. */
async function clientJsBytes(page: Page, url: string): Promise<number> {
  let bytes = 0;
  const onResponse = async (response: import('playwright-core').Response) => {
    if (response.request().resourceType() === 'script') bytes += (await response.body().catch(() => Buffer.alloc(0))).length;
  };
  page.on('response', onResponse);
  await page.goto(url, { waitUntil: 'load', timeout: 15_000 });
  page.off('response', onResponse);
  // Browser-side code as strings: the root tsconfig has no DOM types.
  const inline = await page.evaluate<number>(`[...document.querySelectorAll('script:not([src])')].reduce((n, s) => n + s.textContent.length, 0)`);
  return bytes + inline;
}

const lessonFile = (chapter: ChapterSpec) => path.join(root, 'chapters', chapter.slug, 'lesson.mdx');

type Box = { x: number; y: number; width: number; height: number };
/** Where an element is on the page (not the viewport), so scrolling does not change the answer. */
async function pageBox(page: Page, selector: string): Promise<Box> {
  return page.evaluate<Box>(`(() => {
    const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
    return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
  })()`);
}

/** Heading levels in document order: one h1, and no level skipped on the way down. */
async function headingProblems(page: Page): Promise<string[]> {
  const levels = await page.evaluate<number[]>(`[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')].map((h) => Number(h.tagName[1]))`);
  const problems: string[] = [];
  if (levels.filter((l) => l === 1).length !== 1) problems.push(`${levels.filter((l) => l === 1).length} h1 elements`);
  levels.forEach((level, i) => {
    const before = levels[i - 1] ?? 1;
    if (i > 0 && level > before + 1) problems.push(`h${before} followed by h${level} (heading ${i + 1})`);
  });
  return problems;
}

/** WCAG contrast ratio of an element's text against the background of `backgroundOf`. */
async function contrast(page: Page, textSelector: string, backgroundOf: string): Promise<number> {
  const [fg, bg] = await page.evaluate<[string, string]>(
    `[getComputedStyle(document.querySelector(${JSON.stringify(textSelector)})).color, getComputedStyle(document.querySelector(${JSON.stringify(backgroundOf)})).backgroundColor]`,
  );
  const luminance = (css: string) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe.skipIf(!haveChromium)('site', { timeout: 120_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'workbook-site-'));
  // Inside the repository (git-ignored) so the build's server chunks resolve node_modules;
  // not site/dist, which holds the learner's own build.
  const outDir = path.join(root, 'test-output', `site-build-${process.pid}`);
  const results = path.join(work, 'results');
  const progress = path.join(work, 'progress');
  const first = chapters[0]!;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let buildMs = 0;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // Chapter 1: two runs, failing then passing. Other chapters: never run.
    const failingId = first.checks[1]?.id ?? first.checks[0]!.id;
    writeResult(results, scorecard(first, '2026-01-01T10:00:00.000Z', [failingId, first.metrics[0]!.id]));
    writeResult(results, scorecard(first, '2026-01-01T10:05:00.000Z'));
    mkdirSync(progress, { recursive: true });
    for (const [learner, passed] of [['Ada', 2], ['Grace', 1]] as const) {
      const rows = chapters.map((c, i) => ({
        number: c.number, slug: c.slug, title: c.title,
        status: i < passed ? 'passing' : i === passed ? 'failing' : 'not started',
        runs: i <= passed ? 3 : 0, checksPassed: i < passed ? c.checks.length : 0, checksTotal: c.checks.length, best: {},
      }));
      writeFileSync(path.join(progress, `${learner}.json`), JSON.stringify({ learner, exportedAt: '2026-01-02T09:00:00.000Z', chapters: rows }));
    }
    const started = performance.now();
    const build = await run(['build', '--root', 'site', '--outDir', outDir], root, {
      WORKBOOK_RESULTS_DIR: results, TEAM_PROGRESS_DIR: progress, ASTRO_TELEMETRY_DISABLED: '1',
    }, 90_000);
    buildMs = performance.now() - started;
    if (build.code !== 0) throw new Error(`site build failed:\n${build.output}`);
    console.log(`site build: ${(buildMs / 1000).toFixed(1)} s (target ≤ ${buildBudgetMs / 1000} s)`);
    server = await serve(outDir);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: chromiumPath, args: chromiumArgs, headless: true, timeout: 30_000, viewport: { width: 1280, height: 900 },
    });
  }, 150_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    rmSync(work, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  test('builds within the time budget', () => {
    expect(buildMs).toBeLessThan(buildBudgetMs);
  });

  test.each(chapters.map((c) => [c.number, c] as const))('chapter %i page shows its lesson, its code and its results chart', async (_n, chapter) => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      const jsBytes = await clientJsBytes(page, `${base}/chapters/${chapter.slug}/`);
      console.log(`chapter ${chapter.number} page: ${jsBytes} bytes of client JavaScript (budget ${clientJsBudget})`);
      expect(jsBytes).toBeLessThanOrEqual(clientJsBudget);
      await expect(page.locator('h1').textContent()).resolves.toBe(chapter.title);
      expect(await page.locator('h1').count()).toBe(1);
      expect(await headingProblems(page)).toEqual([]);

      const lesson = page.locator('article[aria-label="Lesson"]');
      if (existsSync(lessonFile(chapter))) {
        expect(await lesson.locator('.lesson-missing').count()).toBe(0);
        expect((await lesson.innerText()).length).toBeGreaterThan(200);
        if (readFileSync(lessonFile(chapter), 'utf8').includes('<Code')) {
          expect(await lesson.locator('figure.code pre.shiki').count()).toBeGreaterThan(0);
          expect(await lesson.locator('figure.code .notice.error').count()).toBe(0); // every <Code> resolved
        }
      } else {
        console.warn(`chapter ${chapter.number}: no lesson.mdx yet — checking the "not written yet" notice instead`);
        await expect(lesson.locator('.lesson-missing').innerText()).resolves.toMatch(/not written yet/);
      }

      // Starter and solution of every file, side by side, and a diff that starts closed.
      const code = page.locator('.code-compare');
      expect(await code.locator('.file').count()).toBe(chapter.files.length);
      expect(await code.locator('pre.shiki').count()).toBe(chapter.files.length * 2);
      const diffs = code.locator('details.diff');
      for (let i = 0; i < (await diffs.count()); i++) expect(await diffs.nth(i).getAttribute('open')).toBeNull();

      // The compact scorecard: every check and metric of the manifest, marked.
      const panel = page.locator('#live-results');
      expect(await panel.locator('li').count()).toBe(chapter.checks.length + chapter.metrics.length);
      // The full results: one chart per metric, each with an accessible title.
      const island = page.locator('#results-detail');
      expect(await island.locator('.metric > svg.chart').count()).toBe(chapter.metrics.length);
      expect(await island.locator('svg.chart title').count()).toBeGreaterThanOrEqual(chapter.metrics.length);
      if (chapter === first) {
        await expect(panel.innerText()).resolves.toMatch(/Passing: \d+ of \d+ checks and targets met/);
        await expect(island.innerText()).resolves.toMatch(/Passing: \d+ of \d+ checks and targets met/);
        expect(await island.locator('svg.chart polyline').count()).toBeGreaterThan(0); // history over 2 runs
      } else {
        await expect(panel.innerText()).resolves.toMatch(/Not run yet/);
        await expect(island.innerText()).resolves.toMatch(/Not run yet/);
      }

      // Wide screen (1280 px): the scorecard beside the lesson, and still in view halfway down it.
      const lessonBox = await pageBox(page, 'article[aria-label="Lesson"]');
      const sideBox = await pageBox(page, 'aside.side');
      expect(sideBox.x).toBeGreaterThanOrEqual(lessonBox.x + lessonBox.width);
      expect(Math.abs(sideBox.y - lessonBox.y)).toBeLessThan(80);
      const shot = (name: string) => path.join(screenshots, `chapter-${chapter.number}-${name}.png`);
      await page.screenshot({ path: shot('top') });
      if (lessonBox.height > 2 * 900) {
        await page.evaluate(`window.scrollTo(0, ${Math.round(lessonBox.y + lessonBox.height / 2)})`);
        const inView = await page.evaluate<{ top: number; bottom: number }>(`(() => { const r = document.querySelector('aside.side').getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; })()`);
        expect(inView.top).toBeGreaterThanOrEqual(0);
        expect(inView.top).toBeLessThan(100); // stuck near the top of the viewport
        await page.screenshot({ path: shot('reading') });
      }
      await island.screenshot({ path: shot('results') });
      if ((await diffs.count()) > 0) {
        await diffs.first().locator('summary').click();
        expect(await diffs.first().getAttribute('open')).not.toBeNull();
        expect(await diffs.first().locator('.added, .removed').count()).toBeGreaterThan(0);
        await code.locator('.file').first().screenshot({ path: shot('code') });
      }
    } finally {
      await page.close();
    }
  });

  test('home lists every chapter; team merges the exports; phone and dark mode render', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(`${base}/`, { timeout: 15_000 });
      for (const chapter of chapters) {
        await expect(page.locator(`li[data-slug="${chapter.slug}"] h3`).innerText()).resolves.toContain(chapter.title);
      }
      await expect(page.locator(`li[data-slug="${first.slug}"] .status`).innerText()).resolves.toMatch(/passing/);
      await page.screenshot({ path: path.join(screenshots, 'home.png'), fullPage: true });

      await page.goto(`${base}/team/`, { timeout: 15_000 });
      const rows = page.locator('table.cohort tbody tr');
      expect(await rows.count()).toBe(2);
      await expect(rows.first().innerText()).resolves.toMatch(/^Ada/);
      await page.screenshot({ path: path.join(screenshots, 'team.png'), fullPage: true });

      // Wide, dark: the scorecard panel's text keeps its contrast in both schemes.
      await page.setViewportSize({ width: 1440, height: 900 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.goto(`${base}/chapters/${first.slug}/`, { timeout: 15_000 });
        for (const text of ['#live-results h2', '#live-results .meta', '#live-results .count', '#live-results .mark.pass', '#live-results [data-metric] .line .muted']) {
          const ratio = await contrast(page, text, 'aside.side');
          expect(ratio, `${text} in ${colorScheme} mode`).toBeGreaterThanOrEqual(4.5);
        }
        if (colorScheme === 'dark') await page.screenshot({ path: path.join(screenshots, 'wide-dark.png') });
      }

      // Phone: the scorecard follows the lesson, one column, nothing wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.goto(`${base}/chapters/${first.slug}/`, { timeout: 15_000 });
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(1);
        const lessonBox = await pageBox(page, 'article[aria-label="Lesson"]');
        const sideBox = await pageBox(page, 'aside.side');
        expect(sideBox.y).toBeGreaterThanOrEqual(lessonBox.y + lessonBox.height);
        expect(Math.abs(sideBox.x - lessonBox.x)).toBeLessThan(2);
        expect(await pageBox(page, '#results-detail').then((b) => b.y)).toBeGreaterThanOrEqual(sideBox.y + sideBox.height);
        const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
        expect(background).toBe(colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
        await page.screenshot({ path: path.join(screenshots, `phone-${colorScheme}.png`), fullPage: false });
        await page.locator('aside.side').screenshot({ path: path.join(screenshots, `phone-${colorScheme}-scorecard.png`) });
      }
      await page.locator('#results-detail').screenshot({ path: path.join(screenshots, 'phone-dark-results.png') });
    } finally {
      await page.close();
    }
  });

  test('dev server: a new result appears on the open page without a reload', async () => {
    const devResults = path.join(work, 'dev-results');
    const port = await freePort();
    const dev: ChildProcess = spawn(process.execPath, [astroBin, 'dev', '--root', 'site', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: root,
      env: { ...process.env, WORKBOOK_RESULTS_DIR: devResults, ASTRO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    dev.stdout!.on('data', (d) => (log += d));
    dev.stderr!.on('data', (d) => (log += d));
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    try {
      const url = `http://127.0.0.1:${port}/chapters/${first.slug}/`;
      const deadline = Date.now() + 30_000;
      while (!(await fetch(url).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`astro dev did not serve ${url}\n${log}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const connected = page.waitForEvent('console', { predicate: (m) => m.text().includes('[vite] connected'), timeout: 20_000 });
      await page.goto(url, { timeout: 30_000 });
      await connected;
      await expect(page.locator('#live-results').innerText()).resolves.toMatch(/Not run yet/);
      await page.evaluate(`window.marker = 'same page'`);

      const startedAt = new Date().toISOString();
      writeResult(devResults, scorecard(first, startedAt, [first.checks[0]!.id]));
      await page.waitForFunction(`document.getElementById('live-results')?.dataset.run === ${JSON.stringify(startedAt)}`, undefined, { timeout: 20_000 });
      await expect(page.locator('#live-results').innerText()).resolves.toMatch(/Failing: \d+ of \d+ checks and targets met/);
      // The charts below the lesson are refreshed with the panel.
      expect(await page.locator('#results-detail').getAttribute('data-run')).toBe(startedAt);
      await expect(page.locator('#results-detail').innerText()).resolves.toMatch(/Failing: \d+ of \d+ checks and targets met/);
      expect(await page.evaluate<string | undefined>('window.marker')).toBe('same page'); // no reload happened
      await expect(page.locator('.live-status').innerText()).resolves.toMatch(/updated/);
      await page.locator('aside.side').screenshot({ path: path.join(screenshots, 'dev-live-update.png') });
    } finally {
      await page.close();
      dev.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => (dev.kill('SIGKILL'), resolve(undefined)), 5_000);
        dev.once('exit', () => (clearTimeout(timer), resolve(undefined)));
      });
    }
  });
});

// Keep the helper honest: results written here must look like the CLI's.
test('seeded scorecards carry every manifest id', () => {
  for (const chapter of chapters) {
    const card = scorecard(chapter, '2026-01-01T00:00:00.000Z');
    expect(card.checks.map((c) => c.id)).toEqual(chapter.checks.map((c) => c.id));
    expect(card.metrics.map((m) => m.id)).toEqual(chapter.metrics.map((m) => m.id));
  }
  expect(readdirSync(path.join(root, 'site', 'src', 'pages')).length).toBeGreaterThan(0);
});
