// An `export_rows` tool that streams a large result (NDJSON, one row a line)
// to the client at the pace the client reads it, and stops reading the
// database the moment the client goes away.
import type { Writable } from 'node:stream';
import { once } from 'node:events';
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
/** Waits for 'drain' when write() says the buffer is full. */
export async function exportRows(pages: RowPages, out: Writable, { signal }: ExportOptions = {}): Promise<ExportSummary> {
  const summary: ExportSummary = { rows: 0, bytes: 0 };
  for await (const page of pages) {
    signal?.throwIfAborted();
    const text = ndjson(page);
    summary.rows += page.length;
    summary.bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return summary;
}
// #endregion export-rows
