// Compression where it pays: negotiated from what the peer accepts, skipped for
// small bodies and for bodies that do not shrink, and at a level that costs
// about what gzip's default does rather than fifty times more.
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'identity';

/** Sent by the client, so the upstream may compress what it answers. */
export const ACCEPT_ENCODING = 'br, gzip';

/**
 * Bodies smaller than this are sent as they are. A 600-byte JSON answer fits
 * in one TCP packet compressed or not; compressing it only spends CPU (and a
 * zlib context) on both ends.
 */
export const MIN_COMPRESS_BYTES = 1_024;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const unbrotli = promisify(zlib.brotliDecompress);
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

// #region negotiate
/**
 * The best encoding the peer accepts, from an Accept-Encoding header such as
 * "gzip;q=0.8, br, *;q=0". A coding with q=0 is refused, `*` stands for every
 * coding not named, and no header at all means "send it as it is".
 */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: Encoding) => weights.get(coding) ?? weights.get('*') ?? 0;
  // Brotli first: at the quality used below it is as fast as gzip and a little smaller.
  for (const coding of ['br', 'gzip'] as const) if (weightOf(coding) > 0) return coding;
  return 'identity';
}
// #endregion negotiate

// #region compress
/** The body to send to a peer that sent `acceptEncoding`, and the Content-Encoding to label it with. */
export async function compressBody(
  body: Buffer,
  acceptEncoding: string | undefined,
): Promise<{ body: Buffer; encoding: Encoding }> {
  if (body.length < MIN_COMPRESS_BYTES) return { body, encoding: 'identity' };
  const encoding = chooseEncoding(acceptEncoding);
  if (encoding === 'identity') return { body, encoding };
  // The async forms run on libuv's thread pool, so a 200 KB answer does not
  // hold the event loop. Brotli's default quality is 11, tuned for files
  // compressed once and served forever: for a live answer it costs ~50× the
  // CPU of quality 4 to save another few per cent.
  const compressed =
    encoding === 'br'
      ? await brotli(body, { params: { [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : await gzip(body, { level: 6 });
  // Images, archives and other already-compressed data come out bigger.
  return compressed.length < body.length ? { body: compressed, encoding } : { body, encoding: 'identity' };
}
// #endregion compress

/** Undo the Content-Encoding of a received body. */
export async function decompressBody(body: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  switch (coding) {
    case '':
    case 'identity':
      return body;
    case 'br':
      return unbrotli(body);
    case 'gzip':
    case 'x-gzip':
      return gunzip(body);
    case 'deflate':
      return inflate(body);
    default:
      throw new Error(`cannot decode a body with Content-Encoding "${contentEncoding}"`);
  }
}
