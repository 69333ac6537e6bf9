// How much memory a child process of the engine may hold. A learner's leak
// must end as a message on the scorecard, not as a machine that swaps.
import { engineSetting } from '../paths.ts';

/** 1.5 GB: dozens of times what any chapter's checks or benches need. */
const DEFAULT_BUDGET_MB = 1536;

export function memoryBudgetBytes(): number {
  const mb = Number(engineSetting('WORKBOOK_MEMORY_MB'));
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_BUDGET_MB) * 1024 * 1024;
}

/**
 * V8's own heap cap, above the budget: the CLI's watchdog (which reads the
 * process's resident memory, Buffers included) stops a leak at the budget
 * first, before V8 slows to a crawl collecting garbage near its limit. The cap
 * is the backstop if memory grows faster than the watchdog looks.
 */
export function heapLimitFlag(): string {
  return `--max-old-space-size=${Math.round(memoryBudgetBytes() / 1024 / 1024) + 512}`;
}

export function formatBytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}
