// The messages the engine's child processes send to the CLI over fd 3, one
// JSON object per line. Both ends are typed from this one union, so a field
// renamed on one side fails to compile on the other.
import type { CheckResult, Measurement, RunProblem, SourceLocation } from '../types.ts';

/** From the checks child (vitest). */
export type ChecksEvent =
  | { type: 'start'; id: string }
  | ({ type: 'result'; measurements?: Measurement[] } & Omit<CheckResult, 'title'>)
  | { type: 'module-error'; message: string; location?: SourceLocation }
  /** Something the learner's code printed; `id` is the check that was running, if any. */
  | { type: 'console'; id?: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'done' };

/** From the measurement child (tinybench). */
export type MeasureEvent =
  | { type: 'progress'; label: string }
  | { type: 'measurement'; measurement: Measurement }
  | { type: 'bench-error'; message: string; stack: string }
  | { type: 'done' };

/** From the type-check child. */
export type TypecheckEvent = { type: 'problems'; problems: RunProblem[] } | { type: 'done' };

export type ChildEvent = ChecksEvent | MeasureEvent | TypecheckEvent;
