// Compression for what we send: the peer says what it accepts, we compress.
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'identity';

/** Sent by the client, so the upstream may compress what it answers. */
export const ACCEPT_ENCODING = 'br, gzip';

/** Bodies smaller than this are sent as they are. */
export const MIN_COMPRESS_BYTES = 0;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const unbrotli = promisify(zlib.brotliDecompress);
const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

// #region negotiate
/** The best encoding the peer accepts, from an Accept-Encoding header such as "gzip, br". */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
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
  // Brotli's defaults give the smallest output.
  const compressed = encoding === 'br' ? await brotli(body) : await gzip(body);
  return { body: compressed, encoding };
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
