// Command-line parsing for the server's tools (loadtest, bench:servers): node's
// parseArgs, plus --help, and a bad flag or value answered with one line and
// the usage text (exit 2) instead of a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse `argv`; prints usage and exits on --help (0) or a bad flag (2). */
export function parseCommandLine<T extends Options>(options: T, usage: string, argv = process.argv.slice(2)) {
  try {
    const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true });
    if ((values as { help?: boolean }).help) {
      process.stdout.write(`${usage.trim()}\n`);
      process.exit(0);
    }
    return values as ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'];
  } catch (error) {
    return exitWithUsage((error as Error).message, usage);
  }
}

/** One line saying what is wrong, the usage, exit 2. */
export function exitWithUsage(message: string, usage: string): never {
  // parseArgs' messages end with a hint about '--' that does not apply here.
  const line = message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '.');
  process.stderr.write(`error: ${line}\n\n${usage.trim()}\n`);
  process.exit(2);
}

/** A number in (0, max], or a UsageError naming the flag. */
export function positiveNumber(name: string, value: string | undefined, max = Infinity): number {
  const parsed = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0 || parsed > max) {
    throw new UsageError(`--${name} must be a number in (0, ${max}], not ${JSON.stringify(value)}`);
  }
  return parsed;
}
