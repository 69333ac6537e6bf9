// npm run chapter <N> [--solution] [--watch] [--hint] [--diff] [--json[=FILE]] [--checks-only]
// npm run chapter reset <N> | progress [--json] [--export [--name NAME]] | list
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chapterList, findChapter, UnknownChapterError } from '../find-chapter.ts';
import { chapterDir, relative } from '../paths.ts';
import { stopAllRuns } from '../running/run-chapter.ts';
import { maskSecrets } from '../backends/services.ts';
import { parseCommandLine, UsageError } from './args.ts';
import { showDiff } from './commands/diff.ts';
import { showHints } from './commands/hint.ts';
import { showProgress } from './commands/progress.ts';
import { resetChapter } from './commands/reset.ts';
import { scoreChapter } from './commands/score.ts';
import { scoreVariant } from './commands/variant.ts';
import { watchChapter } from './commands/watch.ts';
import { red } from './format.ts';

const usage = `Usage:
  npm run chapter <N>              score your code for chapter N
  npm run chapter <N> -- --watch   rescore every time you save
  npm run chapter <N> -- --hint    the next hint
  npm run chapter <N> -- --diff    your file beside the reference (spoilers!)
  npm run chapter <N> -- --solution  score the reference solution instead
  npm run chapter <N> -- --json    print the scorecard as JSON (use npm run -s, so npm prints no banner)
  npm run chapter <N> -- --json=card.json   write the JSON to a file, and show the scorecard
  npm run chapter <N> -- --checks-only   only the checks (and the counts they report), no bench
  npm run chapter <N> -- --variant <name>  score one of test/chapters/NN-slug/variants/ (maintainers)
  npm run chapter reset <N>        restore the starter as published (your file is backed up first)
  npm run chapter progress         every chapter: not started / failing / passing
  npm run chapter progress -- --export [--name "Your Name"]   write your progress for a team page
  npm run chapter <N> -- [--solution] --save-reference  (maintainers) refresh bench/NN-slug/{reference,starter}.json
`;

/** Exit codes for the signals the CLI stops on: 128 + the signal's number. */
const stopSignals = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * Ctrl-C, kill, or a closing terminal: end every child process group at once
 * (their processes are in groups of their own, so the terminal's signal does
 * not reach them), remove the run folders, remove the run's data from real
 * services (bounded), and exit. A second signal exits at once.
 */
function stopOnSignals(): void {
  let stopping = false;
  for (const [signal, code] of Object.entries(stopSignals)) {
    process.on(signal, () => {
      if (stopping) process.exit(code);
      stopping = true;
      const deadline = new Promise((resolve) => setTimeout(resolve, 3_000).unref());
      void Promise.race([stopAllRuns(), deadline]).finally(() => process.exit(code));
    });
  }
}

async function main(): Promise<number> {
  const line = parseCommandLine(process.argv.slice(2));
  if (line.command === 'help') {
    console.log(usage);
    return 0;
  }
  if (line.command === 'list') {
    console.log(chapterList());
    // Bare `npm run chapter` shows the list too, but something was missing.
    return process.argv.slice(2).includes('list') ? 0 : 1;
  }
  if (line.command === 'progress') {
    return showProgress({ json: line.json === true, export: line.flags.export, name: line.name });
  }
  if (line.command === 'reset') return resetChapter(findChapter(line.chapter!));

  const chapter = findChapter(line.chapter!);
  const tree = line.flags.solution ? 'solutions' : 'chapters';
  if (line.flags.hint) return showHints(chapter);
  if (line.flags.diff) return showDiff(chapter);
  if (line.variant) return scoreVariant(chapter, line.variant, { json: line.json });
  if (tree === 'chapters') requireLearnerFiles(chapter);
  if (line.flags.watch) return watchChapter(chapter, tree, { json: line.json === true, checksOnly: line.flags['checks-only'] });
  return scoreChapter(chapter, tree, {
    json: line.json,
    saveReference: line.flags['save-reference'],
    checksOnly: line.flags['checks-only'],
  });
}

/** A learner file that is gone is a problem `reset` solves: say so before scoring anything. */
function requireLearnerFiles(chapter: ReturnType<typeof findChapter>): void {
  const dir = chapterDir('chapters', chapter);
  const missing = chapter.files.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length === 0) return;
  const names = missing.map((file) => relative(path.join(dir, file))).join(', ');
  throw new UsageError(
    `${names} ${missing.length === 1 ? 'is' : 'are'} missing (nothing was scored)`,
    `npm run chapter reset ${chapter.number}`,
  );
}

stopOnSignals();
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      const tryIt = error.tryCommand ? `. Try: ${error.tryCommand}` : '';
      console.error(red(`✗ ${maskSecrets(error.message)}${tryIt}`));
    } else if (error instanceof UnknownChapterError) {
      console.error(red(error.message));
    } else {
      console.error(maskSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error)));
    }
    process.exitCode = 2;
  },
);
