// Edits of one document by many callers at once. Each edit reads the row,
// changes it in JavaScript and writes it back only if nobody else wrote in
// between (the version column says so); otherwise it reads again and retries.
import type { Queryable } from './pool.ts';

export interface Document {
  id: number;
  content: string;
  version: number;
}

/** After this many conflicts in a row an edit gives up instead of spinning forever. */
export const MAX_ATTEMPTS = 100;
/** Longest pause between attempts; each pause is random so the losers do not collide again. */
const MAX_BACKOFF_MS = 20;

export class ConflictError extends Error {
  constructor(id: number, attempts: number) {
    super(`document ${id}: still conflicting after ${attempts} attempts`);
    this.name = 'ConflictError';
  }
}

// #region versioned-update
/** Write `content` only if the row is still at `expectedVersion`. False means someone else won. */
export async function updateWithVersion(
  db: Queryable,
  id: number,
  expectedVersion: number,
  content: string,
): Promise<boolean> {
  const result = await db.query(
    'UPDATE documents SET content = $1, version = version + 1 WHERE id = $2 AND version = $3',
    [content, id, expectedVersion],
  );
  return result.rowCount === 1;
}
// #endregion versioned-update

// #region edit
/** Apply `edit` to the document's content, with the row locked while we edit. */
export async function editDocument(db: Queryable, id: number, edit: (content: string) => string): Promise<Document> {
  // FOR UPDATE locks the row... until the statement's transaction ends, which
  // without BEGIN is straight away: the lock protects nothing.
  const { rows } = await db.query<Document>('SELECT id, content, version FROM documents WHERE id = $1 FOR UPDATE', [id]);
  const current = rows[0];
  if (!current) throw new Error(`document ${id} does not exist`);
  const content = edit(current.content);
  await db.query('UPDATE documents SET content = $1, version = version + 1 WHERE id = $2', [content, id]);
  return { id, content, version: current.version + 1 };
}
// #endregion edit
