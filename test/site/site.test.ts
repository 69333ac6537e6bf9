// The site in a real browser: builds it into a temp folder with seeded results,
// progress exports and a learner tree with an edited file, serves it on
// 127.0.0.1 and drives Debian's Chromium through playwright-core — every chapter
// page at phone and desktop width in light and dark, search, keyboard
// navigation, spoiler-free code — then starts `astro dev` and proves a new
// result appears on the open page without a reload. Screenshots of every page
// go to test-output/site/.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chapters } from '../../workbook/manifest.ts';
import { root } from '../../workbook/paths.ts';
import { committedStarterText } from '../../workbook/running/starter-tree.ts';
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
// Starlight's own scripts (theme, navigation, table of contents, the search
// dialog's shell) and ours; Pagefind's index and UI load only when search opens.
const clientJsBudget = 40 * 1024;

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

/**
 * The environment for astro, without what vitest puts into process.env (DEV,
 * PROD, MODE, NODE_ENV=test, VITEST…): astro reads DEV from it, and a build
 * made with DEV set renders Starlight's search as its dev-mode placeholder.
 */
function astroEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['DEV', 'PROD', 'SSR', 'MODE', 'BASE_URL', 'NODE_ENV', 'TEST']) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  return env;
}

/** Runs the astro CLI in `cwd` (astro wants the output folder inside its working directory). */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [astroBin, ...args], { cwd, env: { ...astroEnv(), ...env } });
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

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

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

/** A line of the committed starter that says something (not blank, not a comment or import). */
function telltaleLine(chapter: ChapterSpec): string {
  const text = committedStarterText(chapter, chapter.files[0]!) ?? '';
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 30 && !l.startsWith('//') && !l.startsWith('import')) ?? '';
}

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

/**
 * The smallest rendered font size, in CSS pixels, of the visible text in the SVGs
 * under `selector`: the text's own font size times the SVG's scale on screen.
 */
async function smallestSvgTextPx(page: Page, selector: string): Promise<number> {
  return page.evaluate<number>(`(() => {
    let smallest = Infinity;
    for (const text of document.querySelectorAll(${JSON.stringify(`${selector} svg text`)})) {
      if (!text.checkVisibility()) continue; // inside a closed <details>
      const scale = text.ownerSVGElement.getScreenCTM().a;
      smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
    }
    return smallest;
  })()`);
}

/** Text of the charts under `selector` that runs past its SVG's drawing area (clipped on screen), as "chart: text". */
async function clippedChartText(page: Page, selector: string): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const clipped = [];
    for (const svg of document.querySelectorAll(${JSON.stringify(`${selector} svg.chart`)})) {
      const box = svg.getBoundingClientRect(); // on screen, so rotated axis titles are judged as drawn
      for (const text of svg.querySelectorAll('text')) {
        if (!text.checkVisibility()) continue; // inside a closed <details>
        const r = text.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          clipped.push(svg.getAttribute('aria-labelledby') + ': ' + text.textContent);
        }
      }
    }
    return clipped;
  })()`);
}

describe.skipIf(!haveChromium)('site', { timeout: 180_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'workbook-site-'));
  // Inside the repository (git-ignored) so the build's server chunks resolve node_modules;
  // not site/dist, which holds the learner's own build.
  const outDir = path.join(root, 'test-output', `site-build-${process.pid}`);
  const results = path.join(work, 'results');
  const progress = path.join(work, 'progress');
  // A learner tree inside the repository (packages resolve), with chapter 1's file edited.
  mkdirSync(path.join(root, 'test-output'), { recursive: true }); // a fresh clone has none
  const learnerRoot = mkdtempSync(path.join(root, 'test-output', 'learner-'));
  const editMarker = '// the learner was here: edited after the starter was published';
  const first = chapters[0]!;
  const second = chapters[1]!;
  const size = (c: ChapterSpec) => c.checks.length + c.metrics.length;
  const crowded = chapters.slice(2).reduce((a, b) => (size(b) > size(a) ? b : a));
  const profiled = chapters.find((c) => existsSync(path.join(root, 'bench', c.slug, 'reference.cpuprofile')));
  let server: Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;

  /** A page with its console errors and failed requests collected, in the given theme. */
  async function open(url: string, { width = 1280, theme = 'dark' as 'light' | 'dark' } = {}) {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    await page.addInitScript(`localStorage.setItem('starlight-theme', ${JSON.stringify(theme)})`);
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()}: ${response.url()}`));
    await page.goto(url, { waitUntil: 'networkidle', timeout: 20_000 });
    return { page, problems };
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // Chapter 1: failing, then passing. Chapter 2: failing. Others: never run.
    const failingId = first.checks[1]?.id ?? first.checks[0]!.id;
    writeResult(results, scorecard(first, '2026-01-01T10:00:00.000Z', [failingId, first.metrics[0]!.id]));
    writeResult(results, scorecard(first, '2026-01-01T10:05:00.000Z'));
    writeResult(results, scorecard(second, '2026-01-01T11:00:00.000Z', [second.checks[0]!.id, second.metrics[0]!.id]));
    // The chapter with the most checks and targets, all failing (a starter's first run): the scorecard must stay short.
    writeResult(results, scorecard(crowded, '2026-01-01T12:00:00.000Z', [...crowded.checks, ...crowded.metrics].map((r) => r.id)));
    // A profiled chapter's own run: its flame graph beside the reference's.
    if (profiled) {
      mkdirSync(path.join(results, profiled.slug), { recursive: true });
      cpSync(path.join(root, 'bench', profiled.slug, 'reference.cpuprofile'), path.join(results, profiled.slug, 'profile-chapters.cpuprofile'));
    }
    mkdirSync(progress, { recursive: true });
    for (const [learner, passed] of [['Ada', 2], ['Grace', 1]] as const) {
      const rows = chapters.map((c, i) => ({
        number: c.number, slug: c.slug, title: c.title,
        status: i < passed ? 'passing' : i === passed ? 'failing' : 'not started',
        runs: i <= passed ? 3 : 0, checksPassed: i < passed ? c.checks.length : 0, checksTotal: c.checks.length, best: {},
      }));
      writeFileSync(path.join(progress, `${learner}.json`), JSON.stringify({ learner, exportedAt: '2026-01-02T09:00:00.000Z', chapters: rows }));
    }
    // The reference server's tools' latest results, as they write them.
    const latency = (p50: number) => ({ count: 1000, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 5 });
    const phase = (mode: string) => ({ mode, durationMs: 5000, calls: 5000, perSecond: 1000, shed: 0, errors: 0, errorSamples: [], latency: latency(2), byClass: { query: latency(2), status: latency(0.5) } });
    mkdirSync(path.join(results, 'server'), { recursive: true });
    writeFileSync(path.join(results, 'server', 'loadtest.json'), JSON.stringify({
      at: '2026-01-03T10:00:00.000Z', target: 'http://127.0.0.1:3000/mcp', tools: [], skipped: [], closed: phase('closed'), open: { ...phase('open'), offeredRate: 800 },
      checks: [{ name: 'throughput', value: '1,000 req/s', target: '> 1000 req/s', verdict: 'pass' }], pass: true,
    }));
    writeFileSync(path.join(results, 'server', 'bench-servers.json'), JSON.stringify({
      at: '2026-01-03T10:05:00.000Z', node: 'v20', rounds: 3, connections: 32,
      rows: [
        { id: 'ours', label: 'reference server', perSecond: 4300, p50: 5.4, p99: 39, rssMB: 110, cpuUsPerCall: 108, runs: [] },
        { id: 'sdk-stateless', label: 'SDK 1.x stateless (README)', perSecond: 280, p50: 90, p99: 200, rssMB: 140, cpuUsPerCall: 2800, runs: [] },
        { id: 'fastmcp', label: 'fastmcp', skipped: 'could not install', runs: [] },
      ],
    }));
    for (const chapter of chapters) cpSync(path.join(root, 'chapters', chapter.slug), path.join(learnerRoot, chapter.slug), { recursive: true });
    appendFileSync(path.join(learnerRoot, first.slug, first.files[0]!), `\n${editMarker}\n`);

    const started = performance.now();
    const build = await run(['build', '--root', 'site', '--outDir', outDir], root, {
      WORKBOOK_RESULTS_DIR: results, TEAM_PROGRESS_DIR: progress, WORKBOOK_LEARNER_ROOT: learnerRoot, ASTRO_TELEMETRY_DISABLED: '1',
    }, 150_000);
    if (build.code !== 0) throw new Error(`site build failed:\n${build.output}`);
    // Reported, not asserted: a wall-clock budget would flake on a loaded machine.
    console.log(`site build: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    server = await serve(outDir);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true, timeout: 30_000 });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 200_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    rmSync(work, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
    rmSync(learnerRoot, { recursive: true, force: true });
  });

  test.each(chapters.map((c) => [c.number, c] as const))('chapter %i: lesson, scorecard, charts and spoiler-free code at 1280 and 390 px, light and dark', async (_n, chapter) => {
    for (const width of [1280, 390]) {
      for (const theme of ['light', 'dark'] as const) {
        const { page, problems } = await open(`${base}/chapters/${chapter.slug}/`, { width, theme });
        try {
          const where = `chapter ${chapter.number} at ${width} px, ${theme}`;
          expect(problems, where).toEqual([]);
          expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'), `${where}: page wider than the screen`).toBeLessThanOrEqual(1);
          expect(await page.locator('h1').count()).toBe(1);
          await expect(page.locator('h1').textContent()).resolves.toContain(chapter.title);
          expect(await headingProblems(page), where).toEqual([]);

          const lesson = page.locator('.lesson');
          if (existsSync(lessonFile(chapter))) {
            expect((await lesson.innerText()).length).toBeGreaterThan(200);
            if (readFileSync(lessonFile(chapter), 'utf8').includes('<Code')) {
              expect(await lesson.locator('figure.code pre.shiki').count()).toBeGreaterThan(0);
              expect(await lesson.locator('figure.code .notice.error').count()).toBe(0); // every <Code> resolved
            }
          } else {
            await expect(lesson.innerText()).resolves.toMatch(/not written yet/);
          }

          // Spoilers only on request: the solution is in the page but hidden until revealed.
          const code = page.locator('.code-compare');
          expect(await code.locator('.file').count()).toBe(chapter.files.length);
          const reveals = code.locator('details.reveal');
          expect(await reveals.count()).toBe(chapter.files.length);
          for (let i = 0; i < (await reveals.count()); i++) {
            expect(await reveals.nth(i).getAttribute('open'), `${where}: solution shown without asking`).toBeNull();
            expect(await reveals.nth(i).locator('figure.solution').isVisible()).toBe(false);
          }
          // The starter box is the starter as published.
          await expect(code.locator('figure.starter').first().innerText()).resolves.toContain(telltaleLine(chapter));

          // Charts: one per metric, each comparing starter, you and reference on one scale.
          const results = page.locator('#results-detail');
          expect(await results.locator('.metric > .chart-box svg.chart').count()).toBe(chapter.metrics.length);
          expect(await smallestSvgTextPx(page, '#results-detail'), `${where}: chart text too small to read`).toBeGreaterThanOrEqual(11);
          expect(await clippedChartText(page, '#results-detail'), `${where}: chart text cut off`).toEqual([]);
          // Titles and hints are written for the terminal with `code`: the page shows code, not backticks.
          expect(await page.locator('#results-detail table.checks').innerText(), `${where}: literal backticks`).not.toContain('`');

          // A chapter whose bench profiles the code shows the flame graph (the reference's until the learner runs it),
          // with frame names as readable as the charts'.
          if (chapter === profiled) {
            expect(await page.locator('#flame-graph figure svg').count(), `${where}: flame graphs, yours and the reference's`).toBe(2);
            expect(await smallestSvgTextPx(page, '#flame-graph'), `${where}: flame graph text too small to read`).toBeGreaterThanOrEqual(11);
          } else {
            expect(await page.locator('#flame-graph').count()).toBe(0);
          }

          // The compact scorecard opens the page; the full one is beside the lesson on wide screens.
          const nextStep = await pageBox(page, '#next-step');
          const lessonBox = await pageBox(page, '.lesson');
          expect(nextStep.y).toBeLessThan(lessonBox.y);
          const panel = page.locator('#live-results');
          if (width >= 1280) {
            expect(await panel.isVisible()).toBe(true);
            expect(await panel.locator('.marks li').count()).toBe(chapter.checks.length + chapter.metrics.length);
            expect((await pageBox(page, '#live-results')).x).toBeGreaterThan(lessonBox.x + lessonBox.width);
          } else {
            expect(await panel.isVisible()).toBe(false);
          }
          await page.screenshot({ path: path.join(screenshots, `chapter-${chapter.number}-${width}-${theme}.png`) });
        } finally {
          await page.close();
        }
      }
    }
  });

  test('the starter box keeps the published starter when the learner has edited the file; "your file" shows the edit', async () => {
    const { page } = await open(`${base}/chapters/${first.slug}/`);
    try {
      const file = page.locator('.code-compare .file').first();
      await expect(file.locator('figure.starter').innerText()).resolves.not.toContain(editMarker);
      await expect(file.locator('figure.yours').innerText()).resolves.toContain(editMarker);
      expect(await file.locator('figure.yours a[href^="vscode://file/"]').count()).toBe(1);
      // Revealing is deliberate and remembered for this chapter only.
      await file.locator('details.reveal > summary').click();
      expect(await file.locator('figure.solution').isVisible()).toBe(true);
      await file.screenshot({ path: path.join(screenshots, 'code-revealed.png') });
      await page.reload({ waitUntil: 'networkidle' });
      expect(await page.locator('.code-compare details.reveal').first().getAttribute('open')).not.toBeNull();
      await page.goto(`${base}/chapters/${second.slug}/`, { waitUntil: 'networkidle' });
      expect(await page.locator('.code-compare details.reveal').first().getAttribute('open')).toBeNull();
    } finally {
      await page.close();
    }
  });

  test('what to do next: the next chapter after a pass, the failures and their hints after a fail', async () => {
    const { page } = await open(`${base}/chapters/${first.slug}/`, { width: 390 });
    try {
      await expect(page.locator('#next-step').innerText()).resolves.toMatch(new RegExp(`Passing[\\s\\S]*npm run chapter ${second.number}`));
      await page.goto(`${base}/chapters/${second.slug}/`, { waitUntil: 'networkidle' });
      const plain = (hint: string) => hint.replaceAll('`', ''); // backticks are shown as code
      const text = await page.locator('#next-step').innerText();
      expect(text).toMatch(/Failing/);
      expect(text).toContain(plain(second.checks[0]!.hint));
      // The other failures, with their hints, are one click away.
      expect(text).not.toContain(plain(second.metrics[0]!.hint));
      const others = page.locator('#next-step details.others');
      await expect(others.locator('summary').innerText()).resolves.toMatch(/^1 more to fix/);
      await others.locator('summary').click();
      await expect(others.innerText()).resolves.toContain(plain(second.metrics[0]!.hint));
      await page.locator('#next-step').screenshot({ path: path.join(screenshots, 'next-step-failing.png') });

      // Every check and target failing: on a phone the scorecard still leaves the lesson in reach.
      await page.goto(`${base}/chapters/${crowded.slug}/`, { waitUntil: 'networkidle' });
      expect(await page.locator('#next-step details.others li').count()).toBe(size(crowded) - 1);
      const box = await pageBox(page, '#next-step');
      expect(box.height, `chapter ${crowded.number}'s scorecard with ${size(crowded)} failures, on a phone`).toBeLessThanOrEqual(844);
    } finally {
      await page.close();
    }
  });

  test('client JavaScript per chapter page stays small', async () => {
    const page = await context.newPage();
    try {
      for (const chapter of chapters) {
        const bytes = await clientJsBytes(page, `${base}/chapters/${chapter.slug}/`);
        console.log(`chapter ${chapter.number} page: ${(bytes / 1024).toFixed(1)} KiB of client JavaScript (budget ${clientJsBudget / 1024} KiB, search index excluded)`);
        expect(bytes).toBeLessThanOrEqual(clientJsBudget);
      }
    } finally {
      await page.close();
    }
  });

  test('search finds a chapter by a word from its lesson', async () => {
    const chapter = chapters.find((c) => existsSync(lessonFile(c)) && readFileSync(lessonFile(c), 'utf8').includes('backpressure')) ?? chapters[2]!;
    const word = readFileSync(lessonFile(chapter), 'utf8').includes('backpressure') ? 'backpressure' : chapter.title.split(' ')[0]!;
    const { page, problems } = await open(`${base}/`);
    try {
      await page.locator('site-search button[data-open-modal]').click();
      // Pagefind's UI mounts into the dialog once the page is idle.
      const input = page.locator('#starlight__search input');
      await input.waitFor({ state: 'visible', timeout: 20_000 }).catch((error: Error) => {
        throw new Error(`${error.message}\n${problems.join('\n')}`);
      });
      await input.fill(word);
      const hit = page.locator(`dialog a[href*="/chapters/${chapter.slug}/"]`).first();
      await hit.waitFor({ state: 'visible', timeout: 20_000 });
      await page.screenshot({ path: path.join(screenshots, 'search.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test('every chapter can be reached from the keyboard alone', async () => {
    const { page } = await open(`${base}/`);
    try {
      const reached = new Set<string>();
      for (let i = 0; i < 120 && reached.size < chapters.length; i++) {
        await page.keyboard.press('Tab');
        const href = await page.evaluate<string>('document.activeElement?.getAttribute("href") ?? ""');
        const slug = /\/chapters\/([^/]+)\/?$/.exec(href)?.[1];
        if (slug) reached.add(slug);
      }
      expect([...reached].sort()).toEqual(chapters.map((c) => c.slug).sort());
      // And Enter follows the focused link.
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/chapters\//);
    } finally {
      await page.close();
    }
  });

  test('home lists every chapter; team merges the exports; the scorecard keeps its contrast', async () => {
    for (const theme of ['light', 'dark'] as const) {
      for (const width of [1280, 390]) {
        const { page, problems } = await open(`${base}/`, { width, theme });
        try {
          expect(problems).toEqual([]);
          expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(1);
          for (const chapter of chapters) {
            await expect(page.locator(`li[data-slug="${chapter.slug}"] .title`).innerText()).resolves.toContain(chapter.title);
          }
          await expect(page.locator(`li[data-slug="${first.slug}"] .status`).innerText()).resolves.toMatch(/passing/);
          await page.screenshot({ path: path.join(screenshots, `home-${width}-${theme}.png`), fullPage: true });

          await page.goto(`${base}/team/`, { waitUntil: 'networkidle' });
          const rows = page.locator('table.cohort tbody tr');
          expect(await rows.count()).toBe(2);
          await expect(rows.first().innerText()).resolves.toMatch(/^Ada/);
          await expect(rows.first().locator('.exported').innerText()).resolves.toBe('2026-01-02 09:00 UTC');
          expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(1);
          await page.screenshot({ path: path.join(screenshots, `team-${width}-${theme}.png`), fullPage: true });

          if (width >= 1280) {
            await page.goto(`${base}/chapters/${first.slug}/`, { waitUntil: 'networkidle' });
            for (const text of ['#live-results h2', '#live-results .meta', '#live-results .count', '#live-results .mark.pass', '#live-results [data-metric] .line .muted']) {
              const ratio = await contrast(page, text, 'body');
              expect(ratio, `${text} in ${theme} mode`).toBeGreaterThanOrEqual(4.5);
            }
          }
          expect(problems).toEqual([]);
        } finally {
          await page.close();
        }
      }
    }
  });

  test('the reference server page charts the latest load test and server comparison', async () => {
    for (const width of [1280, 390]) {
      const { page, problems } = await open(`${base}/server/`, { width, theme: 'light' });
      try {
        expect(problems).toEqual([]);
        expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(1);
        const text = await page.locator('main').innerText();
        expect(text).toMatch(/Meets the guide's targets/);
        expect(text).toMatch(/skipped: could not install/);
        // Open loop: one chart per tool class (query, status), each with its target; closed loop; req/s; CPU.
        expect(await page.locator('main svg.chart').count()).toBe(2 + 1 + 2);
        expect(await page.locator('.class-charts svg.chart line.target').count()).toBe(2);
        expect(await clippedChartText(page, 'main'), `server page at ${width} px: chart text cut off`).toEqual([]);
        expect(await smallestSvgTextPx(page, 'main'), `server page at ${width} px: chart text too small`).toBeGreaterThanOrEqual(11);
        // Long server names are not cut to a few letters.
        await expect(page.locator('svg:has(#bench-rps-t)').textContent()).resolves.toContain('SDK 1.x stateless (README)');
        await page.screenshot({ path: path.join(screenshots, `server-${width}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    }
  });

  test('dev server: a new result appears on the open page without a reload', async () => {
    const devResults = path.join(work, 'dev-results');
    const port = await freePort();
    const dev: ChildProcess = spawn(process.execPath, [astroBin, 'dev', '--root', 'site', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: root,
      env: { ...astroEnv(), WORKBOOK_RESULTS_DIR: devResults, ASTRO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    dev.stdout!.on('data', (d) => (log += d));
    dev.stderr!.on('data', (d) => (log += d));
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      const url = `http://127.0.0.1:${port}/chapters/${first.slug}/`;
      const deadline = Date.now() + 60_000;
      while (!(await fetch(url).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`astro dev did not serve ${url}\n${log}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const connected = page.waitForEvent('console', { predicate: (m) => m.text().includes('[vite] connected'), timeout: 30_000 });
      await page.goto(url, { timeout: 60_000 });
      await connected;
      await expect(page.locator('#live-results').innerText()).resolves.toMatch(/Not run yet/);
      await page.evaluate(`window.marker = 'same page'`);

      const startedAt = new Date().toISOString();
      writeResult(devResults, scorecard(first, startedAt, [first.checks[0]!.id]));
      await page.waitForFunction(`document.getElementById('live-results')?.dataset.run === ${JSON.stringify(startedAt)}`, undefined, { timeout: 30_000 });
      await expect(page.locator('#live-results').innerText()).resolves.toMatch(/Failing: \d+ of \d+ checks and targets met/);
      // The charts and the next step are refreshed with the panel.
      expect(await page.locator('#results-detail').getAttribute('data-run')).toBe(startedAt);
      await expect(page.locator('#next-step').innerText()).resolves.toMatch(/Failing/);
      expect(await page.evaluate<string | undefined>('window.marker')).toBe('same page'); // no reload happened
      await expect(page.locator('.live-status').innerText()).resolves.toMatch(/updated/);
      await page.locator('#live-results').screenshot({ path: path.join(screenshots, 'dev-live-update.png') });
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
