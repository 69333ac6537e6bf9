// An `export_rows` tool that streams a large result (NDJSON, one row a line)
// to the client at the pace the client reads it, and stops reading the
// database the moment the client goes away.
import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
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
/** Reads the whole result first, then streams it out politely. */
export async function exportRows(pages: RowPages, out: Writable, { signal }: ExportOptions = {}): Promise<ExportSummary> {
  const chunks: string[] = [];
  let rows = 0;
  for await (const page of pages) {
    chunks.push(ndjson(page));
    rows += page.length;
  }
  const bytes = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
  await pipeline(Readable.from(chunks), out, signal ? { signal } : {});
  return { rows, bytes };
}
// #endregion export-rows
