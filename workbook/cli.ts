// npm run chapter <N> [--solution] [--watch] [--hint] [--diff] [--json]
// npm run chapter reset <N> | progress [--json] [--export] | list
import { parseArgs } from 'node:util';
import { chapterList, findChapter, UnknownChapterError } from './chapters.ts';
import { showDiff } from './commands/diff.ts';
import { showHints } from './commands/hint.ts';
import { showProgress } from './commands/progress.ts';
import { resetChapter } from './commands/reset.ts';
import { scoreChapter } from './commands/score.ts';
import { watchChapter } from './commands/watch.ts';
import { red } from './format.ts';

const usage = `Usage:
  npm run chapter <N>              score your code for chapter N
  npm run chapter <N> -- --watch   rescore every time you save
  npm run chapter <N> -- --hint    the next hint
  npm run chapter <N> -- --diff    your file beside the reference (spoilers!)
  npm run chapter <N> -- --solution  score the reference solution instead
  npm run chapter <N> -- --json    print the scorecard as JSON
  npm run chapter reset <N>        restore the starter (your file is backed up first)
  npm run chapter progress         every chapter: not started / failing / passing
  npm run chapter progress -- --export  write your progress for a team page
  npm run chapter <N> -- --solution --save-reference   (maintainers) refresh bench/reference/
`;

const flagNames = ['solution', 'watch', 'hint', 'diff', 'json', 'export', 'help', 'save-reference'] as const;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      solution: { type: 'boolean' },
      watch: { type: 'boolean', short: 'w' },
      hint: { type: 'boolean' },
      diff: { type: 'boolean' },
      json: { type: 'boolean' },
      export: { type: 'boolean' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'save-reference': { type: 'boolean' },
    },
  });
  // `npm run chapter 1 --watch` (without `--`) hands the flag to npm, which
  // passes it on as npm_config_watch: accept it either way.
  const flags = Object.fromEntries(
    flagNames.map((name) => [name, values[name] ?? process.env[`npm_config_${name}`] === 'true']),
  ) as Record<(typeof flagNames)[number], boolean>;

  const [command, argument] = positionals;
  if (flags.help) {
    console.log(usage);
    return 0;
  }
  if (!command || command === 'list') {
    console.log(chapterList());
    return command ? 0 : 1;
  }
  if (command === 'progress') return showProgress({ json: flags.json, export: flags.export, name: values.name });
  if (command === 'reset') {
    if (!argument) throw new UnknownChapterError('');
    return resetChapter(findChapter(argument));
  }

  const chapter = findChapter(command);
  const tree = flags.solution ? 'solutions' : 'chapters';
  if (flags.hint) return showHints(chapter);
  if (flags.diff) return showDiff(chapter);
  if (flags.watch) return watchChapter(chapter, tree);
  return scoreChapter(chapter, tree, { json: flags.json, saveReference: flags['save-reference'] });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UnknownChapterError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(red((error as Error).message));
      if (!(error instanceof UnknownChapterError)) console.error(`\n${usage}`);
    } else {
      console.error(error);
    }
    process.exitCode = 2;
  },
);
