// Compression, gzip only, done synchronously: short answers stay as they are,
// and gzip level 6 is cheap enough to run inline for the sizes we send.
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'identity';

export const ACCEPT_ENCODING = 'gzip';

/** Under 1.5 KiB the body goes as it is: one packet either way. */
export const MIN_COMPRESS_BYTES = 1_500;

const CODING = /^\s*([a-z*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$/i;

export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  let gzip: number | undefined;
  let any: number | undefined;
  for (const entry of (acceptEncoding ?? '').split(',')) {
    const match = CODING.exec(entry);
    if (!match) continue;
    const q = match[2] === undefined ? 1 : parseFloat(match[2]);
    const name = match[1]!.toLowerCase();
    if (name === 'gzip' || name === 'x-gzip') gzip = q;
    else if (name === '*') any = q;
  }
  return (gzip ?? any ?? 0) > 0 ? 'gzip' : 'identity';
}

export async function compressBody(body: Buffer, acceptEncoding: string | undefined): Promise<{ body: Buffer; encoding: Encoding }> {
  if (body.length < MIN_COMPRESS_BYTES || chooseEncoding(acceptEncoding) !== 'gzip') return { body, encoding: 'identity' };
  const gzipped = zlib.gzipSync(body, { level: 6 });
  return gzipped.length < body.length ? { body: gzipped, encoding: 'gzip' } : { body, encoding: 'identity' };
}

export async function decompressBody(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  const coding = contentEncoding?.trim().toLowerCase() || 'identity';
  if (coding === 'identity') return body;
  if (coding === 'gzip' || coding === 'x-gzip') return zlib.gunzipSync(body);
  if (coding === 'br') return zlib.brotliDecompressSync(body);
  if (coding === 'deflate') return zlib.inflateSync(body);
  throw new Error(`unsupported Content-Encoding: ${contentEncoding}`);
}
