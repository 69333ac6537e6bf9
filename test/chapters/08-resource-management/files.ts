// Files for the preview checks (text of many sizes, binary, missing), and an
// `open` that counts: every FileHandle it hands out, and every close() of one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../../support/random.ts';

export type FileKind = 'text' | 'binary' | 'missing';

export interface SampleFile {
  path: string;
  kind: FileKind;
  /** The file's bytes (empty for a missing one). */
  content: Buffer;
}

/** `count` files in a fresh temporary folder: mostly text of 0–80 KB, some binary, some missing. */
export function sampleFiles(count: number, seed: number): { files: SampleFile[]; remove(): void } {
  const random = seededRandom(seed);
  const dir = mkdtempSync(path.join(tmpdir(), 'workbook-preview-'));
  const files: SampleFile[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    const file = path.join(dir, `file-${i}.txt`);
    if (roll < 0.1) {
      files.push({ path: file, kind: 'missing', content: Buffer.alloc(0) });
      continue;
    }
    const size = Math.floor(random() * 80_000);
    let text = '';
    while (text.length < size) text += `line ${text.length} ${Math.floor(random() * 1e9).toString(36)} héllo\n`;
    const content = Buffer.from(text.slice(0, size));
    const kind: FileKind = roll < 0.35 ? 'binary' : 'text';
    // A NUL byte somewhere in the first few KiB: what marks a file as binary.
    if (kind === 'binary') content.writeUInt8(0, Math.floor(random() * Math.min(4_096, Math.max(1, content.length))));
    if (kind === 'binary' && content.length === 0) files.push({ path: file, kind, content: Buffer.from([0x00]) });
    else files.push({ path: file, kind, content });
    writeFileSync(file, files[files.length - 1]!.content);
  }
  return { files, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CountingOpenOptions {
  /** Delay every read by this long (a slow disk, a network mount). */
  readDelayMs?: number;
  /** Called before the n-th read (0-based) of every handle, e.g. to cancel the caller mid-read. */
  beforeRead?: (readIndex: number, path: string) => void;
}

/** fs.promises.open, counting handles opened and closed (by however the caller closes them). */
export function countingOpen({ readDelayMs = 0, beforeRead }: CountingOpenOptions = {}) {
  const stats = { opened: 0, closed: 0 };
  const handles: FileHandle[] = [];
  const open = async (file: string, flags: 'r'): Promise<FileHandle> => {
    const handle = await openFile(file, flags);
    stats.opened++;
    handles.push(handle);
    const close = handle.close.bind(handle);
    const read = handle.read.bind(handle) as (...args: unknown[]) => Promise<unknown>;
    let closed = false;
    let reads = 0;
    Object.assign(handle, {
      close: async () => {
        if (!closed) stats.closed++;
        closed = true;
        return close();
      },
      read: async (...args: unknown[]) => {
        beforeRead?.(reads++, file);
        if (readDelayMs > 0) await sleep(readDelayMs);
        return read(...args);
      },
    });
    return handle;
  };
  return {
    open,
    stats,
    leftOpen: () => stats.opened - stats.closed,
    /** After counting: close what the code under test left open, so nothing is closed later by the GC (with a warning). */
    async closeLeftovers() {
      await Promise.allSettled(handles.map((handle) => handle.close()));
    },
  };
}
