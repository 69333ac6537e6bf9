// Memory helpers for checks: the engine's weighing (workbook/memory.ts) plus
// units for messages.
export { liveBytes, settle, weigh } from '../../../workbook/authoring/memory.ts';

export const MiB = 1024 * 1024;

/** Bytes as "12.3 MB" for messages. */
export function mb(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MB`;
}
