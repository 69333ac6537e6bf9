// An `export_rows` tool that streams a large result (NDJSON, one row a line)
// to the client at the pace the client reads it, and stops reading the
// database the moment the client goes away.
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export interface Row {
  id: number;
  title: string;
  body: string;
  updatedAt: string;
}

/** Rows page by page, in order, like a database cursor: each step of a `for await` fetches the next page. */
export type RowPages = AsyncIterable<readonly Row[]>;

export interface ExportOptions {
  /** The MCP request's signal: stop when the client cancels. */
  signal?: AbortSignal;
}

export interface ExportSummary {
  rows: number;
  bytes: number;
}

/** One page as NDJSON text. */
export function ndjson(page: readonly Row[]): string {
  let text = '';
  for (const row of page) text += `${JSON.stringify(row)}\n`;
  return text;
}

// #region export-rows
/** Resolves when `out` can take more, rejects if it closes or fails first. */
function drainedOrGone(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the client closed the stream'));
    out.once('drain', onDrain);
    out.once('close', onClose);
    out.once('error', done);
  });
}

/** A hand-written write loop: stop when write() says the buffer is full, stop for good when the client leaves. */
export async function exportRows(pages: RowPages, out: Writable, { signal }: ExportOptions = {}): Promise<ExportSummary> {
  const summary: ExportSummary = { rows: 0, bytes: 0 };
  const cursor = pages[Symbol.asyncIterator]();
  try {
    for (let next = await cursor.next(); !next.done; next = await cursor.next()) {
      signal?.throwIfAborted();
      if (out.destroyed) throw new Error('the client closed the stream');
      const text = ndjson(next.value);
      summary.rows += next.value.length;
      summary.bytes += Buffer.byteLength(text);
      if (!out.write(text)) await drainedOrGone(out);
    }
    out.end();
    await finished(out);
    return summary;
  } finally {
    // Ran to the end, or stopped early: either way the cursor is closed.
    await cursor.return?.();
  }
}
// #endregion export-rows
