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
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException(`preview took over ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  let handle: FileHandle | undefined;
  try {
    stop.throwIfAborted();
    handle = await deps.open(path, 'r');
    // One byte more than shown, to know whether the file goes on.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      stop.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, length, Math.min(CHUNK_BYTES, buffer.length - length), length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const shown = Math.min(length, maxBytes);
    if (buffer.subarray(0, shown).includes(0)) throw new BinaryFileError(path);
    return { text: buffer.toString('utf8', 0, shown), bytes: shown, truncated: length > maxBytes };
  } finally {
    // Whatever happened above: the timer and the file descriptor go now, not at
    // the next GC (which closes a lost FileHandle with a warning) or never.
    clearTimeout(timer);
    await handle?.close();
  }
}
// #endregion preview-file
