// The clocks, memory readings and assertions the grader measures with are
// shared with the learner's code: it runs in the same process. Their identity
// is recorded before that code loads and checked after every check and after
// the measurements, so a line such as `performance.now = () => 0` fails the
// run with a clear message instead of quietly turning slow code into fast.
// (Pinning them read-only would be simpler, but vitest's fake timers, which
// checks use to move time, must be free to swap them and put them back.)
//
// This guards against accidents and cheap tricks, not a determined forger:
// code in the same process can always write to the engine's own channel to
// the CLI. The README's grading section says so.
import { chai } from 'vitest';

type Instrument = [owner: object, key: string, label: string];

const instruments: Instrument[] = [
  [performance, 'now', 'performance.now'],
  [Date, 'now', 'Date.now'],
  [process, 'hrtime', 'process.hrtime'],
  [process.hrtime, 'bigint', 'process.hrtime.bigint'],
  [process, 'memoryUsage', 'process.memoryUsage'],
  [process.memoryUsage, 'rss', 'process.memoryUsage.rss'],
  [process, 'cpuUsage', 'process.cpuUsage'],
  [process, 'exit', 'process.exit'],
  [globalThis, 'gc', 'gc'],
  [Object, 'is', 'Object.is'],
  [JSON, 'stringify', 'JSON.stringify'],
];

interface Recorded {
  values: unknown[];
  /** chai's Assertion prototype holds every matcher `expect(…)` offers. */
  matchers: Map<PropertyKey, PropertyDescriptor>;
}

let recorded: Recorded | undefined;

function describe(descriptor: PropertyDescriptor | undefined) {
  return descriptor?.get ?? descriptor?.value;
}

/** Record the instruments as they are now. Idempotent; call before importing learner code. */
export function lockGrader(): void {
  recorded ??= {
    values: instruments.map(([owner, key]) => (owner as Record<string, unknown>)[key]),
    matchers: new Map(Reflect.ownKeys(chai.Assertion.prototype).map((key) => [key, Object.getOwnPropertyDescriptor(chai.Assertion.prototype, key)!])),
  };
}

/** Instruments replaced since lockGrader(), by name (empty when nothing was touched). */
export function tamperedInstruments(): string[] {
  if (!recorded) return [];
  const changed = instruments
    .filter(([owner, key], i) => (owner as Record<string, unknown>)[key] !== recorded!.values[i])
    .map(([, , label]) => label);
  const prototype = chai.Assertion.prototype;
  const keys = new Set([...recorded.matchers.keys(), ...Reflect.ownKeys(prototype)]);
  for (const key of keys) {
    const before = recorded.matchers.get(key);
    if (describe(before) !== describe(Object.getOwnPropertyDescriptor(prototype, key))) {
      changed.push(`expect(…).${String(key)}`);
    }
  }
  return changed;
}

/** Throws when the learner's code replaced something the grader measures or asserts with. */
export function assertInstrumentsIntact(): void {
  const changed = tamperedInstruments();
  if (changed.length > 0) {
    throw new Error(
      `your code replaced ${changed.join(', ')}, which the workbook measures or asserts with. ` +
        'Nothing is graded from a run where that happened: remove the assignment and run again.',
    );
  }
}
