// A reply's Content-Encoding, undone as its bytes arrive: gzip and deflate (IIS dynamic compression,
// proxies) and br, which a server or a proxy may apply whether or not it was asked to. Any other
// coding cannot be read, and says which it is.
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  // Servers send both zlib-wrapped and raw deflate under this name; inflate as zlib first.
  deflate: () => zlib.createUnzip(),
  br: () => zlib.createBrotliDecompress(),
};

/** The codings applied to the body, in the order they were applied; `identity` means none. */
export function codingsOf(response: IncomingMessage): string[] {
  const header = response.headers['content-encoding'] ?? '';
  return header.split(',').map((coding) => coding.trim().toLowerCase()).filter((coding) => coding !== '' && coding !== 'identity');
}

/** The first coding no decoder here undoes, if any. */
export function unknownCoding(codings: readonly string[]): string | undefined {
  return codings.find((coding) => DECODERS[coding] === undefined);
}

/** The body with every coding undone, last applied first undone. */
export function decoded(response: IncomingMessage, codings: readonly string[]): Readable {
  return codings.reduceRight<Readable>((stream, coding) => stream.pipe((DECODERS[coding] as () => Transform)()), response);
}
