// An `export_rows` tool that streams a large result (NDJSON, one row a line)
// to the client at the pace the client reads it, and stops reading the
// database the moment the client goes away.
import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
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
/** Readable.from(...).pipe(out): back-pressure without error handling. */
export async function exportRows(pages: RowPages, out: Writable, _options: ExportOptions = {}): Promise<ExportSummary> {
  const summary: ExportSummary = { rows: 0, bytes: 0 };
  const source = Readable.from(
    (async function* () {
      for await (const page of pages) {
        const text = ndjson(page);
        summary.rows += page.length;
        summary.bytes += Buffer.byteLength(text);
        yield text;
      }
    })(),
  );
  source.pipe(out);
  await finished(out);
  return summary;
}
// #endregion export-rows
