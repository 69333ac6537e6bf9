// The command line, read strictly: anything the CLI does not understand is an
// error that says what is wrong and shows the command that would work
// (suggesting the nearest flag for a typo), never silently ignored.
//
// `npm run chapter 1 --hint` (without `--`) hands the flag to npm, which passes
// it on as npm_config_hint: those are read too, typos included.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  /** The command that would work, when there is one to suggest. */
  constructor(
    message: string,
    readonly tryCommand?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const booleanFlags = ['solution', 'watch', 'hint', 'diff', 'checks-only', 'save-reference', 'export', 'help'] as const;
const stringFlags = ['variant', 'name'] as const;
type BooleanFlag = (typeof booleanFlags)[number];
const allFlags = [...booleanFlags, ...stringFlags, 'json'] as const;

export interface CommandLine {
  /** 'score' for `npm run chapter <N>`. */
  command: 'score' | 'reset' | 'progress' | 'list' | 'help';
  /** The chapter as typed (score and reset). */
  chapter?: string;
  flags: Record<BooleanFlag, boolean>;
  /** --json: true for stdout, or the file to write. */
  json?: true | string;
  variant?: string;
  name?: string;
}

const commands = ['reset', 'progress', 'list', 'help'] as const;

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  const { tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: {
      ...Object.fromEntries(booleanFlags.map((name) => [name, { type: 'boolean' as const }])),
      ...Object.fromEntries(stringFlags.map((name) => [name, { type: 'string' as const }])),
      json: { type: 'boolean' },
      watch: { type: 'boolean', short: 'w' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const positionals = tokens.filter((t) => t.kind === 'positional').map((t) => (t as { value: string }).value);
  const given: Array<{ name: string; value?: string; raw: string }> = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    given.push({ name: token.name, ...(token.value === undefined ? {} : { value: token.value }), raw: token.rawName });
  }
  given.push(...fromNpm(env));

  const line: CommandLine = {
    command: 'score',
    flags: Object.fromEntries(booleanFlags.map((name) => [name, false])) as CommandLine['flags'],
  };
  // What would work, built up as the input is read, for the error messages.
  const suggestion = (extra: string[] = []) => commandText(positionals, [...okFlags, ...extra]);
  const okFlags: string[] = [];

  for (const option of given) {
    const { name } = option;
    if (!(allFlags as readonly string[]).includes(name)) {
      const near = nearest(name, allFlags);
      throw new UsageError(
        `${option.raw} is not an option${near ? `; did you mean --${near}?` : ''}`,
        near ? suggestion([`--${near}`]) : `npm run chapter -- --help`,
      );
    }
    if ((booleanFlags as readonly string[]).includes(name)) {
      if (option.value !== undefined && option.value !== 'true') {
        if (option.value === 'false' || option.value === '') continue;
        throw new UsageError(`--${name} takes no value (got "${option.value}")`, suggestion([`--${name}`]));
      }
      line.flags[name as BooleanFlag] = true;
      okFlags.push(`--${name}`);
    } else if (name === 'json') {
      if (option.value === undefined || option.value === 'true') line.json = true;
      else if (option.value === 'false' || option.value === '') continue;
      else line.json = option.value;
      okFlags.push(line.json === true ? '--json' : `--json=${line.json}`);
    } else {
      if (option.value === undefined || option.value === '' || option.value.startsWith('-')) {
        const example = name === 'name' ? '"Ada Lovelace"' : '<name>';
        throw new UsageError(`--${name} needs a value`, suggestion([`--${name} ${example}`]));
      }
      if (name === 'variant') line.variant = option.value;
      else line.name = option.value;
      okFlags.push(`--${name} ${JSON.stringify(option.value)}`);
    }
  }

  const [first, ...rest] = positionals;
  if (line.flags.help || first === 'help') return { ...line, command: 'help' };
  if (first === undefined || first === 'list') {
    if (rest.length) throw new UsageError(`list takes no arguments (got "${rest.join(' ')}")`, 'npm run chapter list');
    return { ...line, command: 'list' };
  }
  if (first === 'progress') {
    if (rest.length) throw new UsageError(`progress takes no chapter (got "${rest.join(' ')}")`, commandText(['progress'], okFlags));
    onlyWith(line, ['export', 'name', 'json'], 'progress');
    if (line.name && !line.flags.export) throw new UsageError('--name names a progress export', commandText(['progress'], ['--export', ...okFlags]));
    return { ...line, command: 'progress' };
  }
  if (first === 'reset') {
    if (rest.length === 0) throw new UsageError('reset needs a chapter number', 'npm run chapter reset 1');
    if (rest.length > 1) throw new UsageError(`reset takes one chapter (got "${rest.join(' ')}")`, `npm run chapter reset ${rest[0]}`);
    onlyWith(line, [], 'reset');
    return { ...line, command: 'reset', chapter: rest[0]! };
  }
  if (!/^\d+$/.test(first) && !first.includes('-')) {
    const near = nearest(first, commands);
    if (near) throw new UsageError(`"${first}" is not a command; did you mean ${near}?`, commandText([near, ...rest], okFlags));
  }
  if (rest.length) {
    throw new UsageError(`one chapter at a time: "${rest.join(' ')}" is one argument too many`, commandText([first], okFlags));
  }
  const modes = (['hint', 'diff', 'watch'] as const).filter((m) => line.flags[m]).map((m) => `--${m}`);
  if (line.variant) modes.push('--variant');
  if (modes.length > 1) {
    throw new UsageError(`${modes.join(' and ')} do different things: use one at a time`, commandText([first], [modes[0]!]));
  }
  if (line.flags.export || line.name) throw new UsageError('--export and --name are for progress', commandText(['progress'], ['--export']));
  if (line.variant && line.flags.solution) {
    throw new UsageError('a variant is scored instead of the reference: drop --solution', commandText([first], [`--variant ${line.variant}`]));
  }
  if ((line.flags.hint || line.flags.diff) && (line.json || line.flags.solution || line.flags['checks-only'])) {
    const mode = line.flags.hint ? '--hint' : '--diff';
    throw new UsageError(`${mode} only shows text: it takes no other flags`, commandText([first], [mode]));
  }
  return { ...line, command: 'score', chapter: first };
}

function onlyWith(line: CommandLine, allowed: string[], command: string): void {
  const given = [
    ...booleanFlags.filter((name) => line.flags[name]),
    ...(line.json ? ['json'] : []),
    ...(line.variant ? ['variant'] : []),
    ...(line.name ? ['name'] : []),
  ];
  const extra = given.filter((name) => !allowed.includes(name));
  if (extra.length) {
    throw new UsageError(
      `${command} does not take ${extra.map((f) => `--${f}`).join(' or ')}`,
      commandText(command === 'reset' ? ['reset', line.chapter ?? '1'] : [command], given.filter((g) => allowed.includes(g)).map((g) => `--${g}`)),
    );
  }
}

/** `npm run chapter 1 -- --hint`: the command as a learner would type it. */
export function commandText(positionals: string[], flags: string[]): string {
  return ['npm run chapter', ...positionals, ...(flags.length ? ['--', ...flags] : [])].join(' ');
}

/**
 * Flags npm took for itself (`npm run chapter 1 --hint` without `--`): our own,
 * and unknown ones within a typo of ours. Anything else is npm's own setting.
 */
function fromNpm(env: NodeJS.ProcessEnv): Array<{ name: string; value?: string; raw: string }> {
  if (!env.npm_lifecycle_event) return [];
  const found: Array<{ name: string; value?: string; raw: string }> = [];
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('npm_config_') || value === undefined) continue;
    const name = key.slice('npm_config_'.length).replace(/_/g, '-');
    const ours = (allFlags as readonly string[]).includes(name);
    // npm's own --json is ours here too; its other settings never are.
    if (ours || (name.length >= 3 && nearest(name, allFlags) && !npmSettings.has(name))) {
      if (value === '' || value === 'false') continue;
      found.push({ name, value, raw: `--${name}` });
    }
  }
  return found;
}

/** npm settings close to a workbook flag, which are npm's and not typos of ours. */
const npmSettings = new Set(['link', 'dev', 'save', 'yes', 'long', 'parseable', 'depth', 'fund', 'audit', 'diff-name-only', 'diff-unified']);

/** The closest candidate within two edits (a swap of neighbours is one), if any. */
export function nearest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.min(2, Math.floor(best.length / 3))) ? best : undefined;
}

/** Damerau–Levenshtein (optimal string alignment) distance. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
