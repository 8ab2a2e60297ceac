import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from './errors.js';

/**
 * How much of a refused body is read and discarded before the refusal is sent. A client still sending its body
 * would otherwise meet a closed socket (EPIPE or a reset) and never see the reply; past this, it may.
 */
export const DRAIN_LIMIT_BYTES = 256 * 1_048_576;

/** The body's Content-Length; 0 when it declares none (a chunked body). */
export const declaredLength = (request: IncomingMessage): number => Number(request.headers['content-length'] ?? 0);

/** Refuses a declared Content-Length over the limit before reading anything. */
export function checkDeclaredLength(request: IncomingMessage, maxBytes: number): void {
  if (declaredLength(request) > maxBytes) throw new BodyTooLargeError(maxBytes, true);
}

/**
 * The request body, piece by piece, failing as soon as it grows past `maxBytes`. Stopping early leaves the
 * request intact, so an error reply can still be written on its socket.
 */
export async function* limitedBody(request: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  let received = 0;
  for await (const chunk of request.iterator({ destroyOnReturn: false })) {
    const piece = chunk as Buffer;
    received += piece.length;
    if (received > maxBytes) throw new BodyTooLargeError(maxBytes, false);
    yield piece;
  }
}

/** The whole (limited) body as text. */
export async function bodyText(request: IncomingMessage, maxBytes: number): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of limitedBody(request, maxBytes)) pieces.push(piece);
  return Buffer.concat(pieces).toString('utf8');
}

/**
 * Reads and discards what is left of a body that was read only in part (the request was refused halfway), up
 * to `maxBytes`, so that the reply leaves the connection usable. False when the rest could not be read within
 * the limit, or broke off: the connection must then close after the reply.
 */
export async function discardRest(request: IncomingMessage, maxBytes: number): Promise<boolean> {
  let received = 0;
  try {
    for await (const chunk of request.iterator({ destroyOnReturn: false })) {
      received += (chunk as Buffer).length;
      if (received > maxBytes) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads and discards the body, so a reply sent without using it leaves the connection usable. A body that grows
 * past `maxBytes` is refused for its size (BodyTooLargeError), as a declared one is before anything is read.
 */
export async function drain(request: IncomingMessage, maxBytes: number): Promise<void> {
  for await (const piece of limitedBody(request, maxBytes)) void piece;
}
