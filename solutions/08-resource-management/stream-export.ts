// An `export_rows` tool that streams a large result (NDJSON, one row a line)
// to the client at the pace the client reads it, and stops reading the
// database the moment the client goes away.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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
/**
 * Write every row to `out` as NDJSON and end it. Resolves once `out` has
 * taken everything; rejects if `out` fails or closes early, after closing the
 * cursor.
 */
export async function exportRows(pages: RowPages, out: Writable, { signal }: ExportOptions = {}): Promise<ExportSummary> {
  const summary: ExportSummary = { rows: 0, bytes: 0 };
  // pipeline() pulls the next page only when `out` wants more (its write()
  // returned true, or it drained), and if `out` closes or errors it stops
  // pulling and calls return() on the generator, which closes the cursor.
  await pipeline(
    async function* () {
      for await (const page of pages) {
        const text = ndjson(page);
        summary.rows += page.length;
        summary.bytes += Buffer.byteLength(text);
        yield text;
      }
    },
    out,
    signal ? { signal } : {},
  );
  return summary;
}
// #endregion export-rows
