// The run journal: a file the checks' worker appends to, synchronously, as it
// loads the learner's files and starts and finishes each check. vitest reports
// results to the CLI in batches; a worker stuck in a loop never sends the last
// batch, but every line it wrote here before the loop is on disk. After a hang
// the journal says which check (or which file's top-level code) was running,
// and the verdicts of the checks that had finished.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Measurement } from '../types.ts';

export type JournalEntry =
  | { type: 'loading'; file: string }
  | { type: 'loaded'; file: string }
  | { type: 'start'; id: string }
  | {
      type: 'end';
      id: string;
      verdict: 'pass' | 'fail';
      message?: string;
      stack?: string;
      durationMs?: number;
      measurements?: Measurement[];
    };

export interface JournalState {
  /** The check that started last and never ended. */
  running?: string;
  /** The learner file whose top-level code started last and never finished. */
  loading?: string;
  /** Checks that ended, in the order they ended. */
  ended: Array<Extract<JournalEntry, { type: 'end' }>>;
  /** Whether any check started at all. */
  anyStarted: boolean;
}

export function journalFile(runDir: string): string {
  return path.join(runDir, 'journal');
}

export function readJournal(runDir: string): JournalState {
  let text = '';
  try {
    text = readFileSync(journalFile(runDir), 'utf8');
  } catch {
    // No journal: the worker never got as far as loading anything.
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // A line cut short by a kill: everything before it still counts.
    }
  }
  return journalState(entries);
}

export function journalState(entries: JournalEntry[]): JournalState {
  const loading: string[] = [];
  const ended: JournalState['ended'] = [];
  let running: string | undefined;
  let anyStarted = false;
  for (const entry of entries) {
    if (entry.type === 'loading') loading.push(entry.file);
    else if (entry.type === 'loaded') {
      const at = loading.lastIndexOf(entry.file);
      if (at >= 0) loading.splice(at, 1);
    } else if (entry.type === 'start') {
      running = entry.id;
      anyStarted = true;
    } else if (entry.type === 'end') {
      ended.push(entry);
      if (running === entry.id) running = undefined;
    }
  }
  return { ...(running ? { running } : {}), ...(loading.length ? { loading: loading.at(-1)! } : {}), ended, anyStarted };
}
