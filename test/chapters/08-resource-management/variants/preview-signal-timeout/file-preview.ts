// A `preview_file` tool: the first few KiB of a text file, with a deadline.
// Every path out of it (success, binary file, deadline, cancelled caller,
// missing file) closes the file and clears the timer.
import { open, type FileHandle } from 'node:fs/promises';

export interface PreviewOptions {
  /** Read at most this many bytes. */
  maxBytes?: number;
  /** Give up after this long (a file on a stuck network mount). */
  timeoutMs?: number;
  /** The MCP request's signal: stop when the client cancels. */
  signal?: AbortSignal;
}

export interface Preview {
  text: string;
  bytes: number;
  /** The file is longer than maxBytes. */
  truncated: boolean;
}

export interface PreviewDeps {
  /** How files are opened (fs.promises.open unless a test counts them). */
  open(path: string, flags: 'r'): Promise<FileHandle>;
}

export class BinaryFileError extends Error {
  override name = 'BinaryFileError';
  constructor(readonly path: string) {
    super(`${path} is not a text file`);
  }
}

const CHUNK_BYTES = 16 * 1024;

// #region preview-file
export async function previewFile(
  path: string,
  { maxBytes = 64 * 1024, timeoutMs = 2_000, signal }: PreviewOptions = {},
  deps: PreviewDeps = { open },
): Promise<Preview> {
  // AbortSignal.timeout's timer is unref'd and needs no clearing.
  const deadline = AbortSignal.timeout(timeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
  stop.throwIfAborted();
  const handle = await deps.open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= maxBytes) {
      stop.throwIfAborted();
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, maxBytes + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    const all = Buffer.concat(chunks);
    const shown = all.subarray(0, maxBytes);
    if (shown.indexOf(0) !== -1) throw new BinaryFileError(path);
    return { text: shown.toString('utf8'), bytes: shown.length, truncated: all.length > maxBytes };
  } finally {
    await handle.close();
  }
}
// #endregion preview-file
