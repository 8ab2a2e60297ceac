import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import type { XmlReply } from '../xml/writer.js';

/** Bytes encoded per write: a multiple of 3, so that the pieces' base64 joins into the whole's, and small enough that each piece's string is a young one, cheap to collect. */
const PIECE_BYTES = 49_152;

/** How much encoded text may wait in the response before the next piece waits for it to drain. */
const AHEAD_BYTES = 1_048_576;

const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

const gone = (response: ServerResponse): boolean => response.destroyed || response.socket === null || response.socket.destroyed;

/** Resolves once the response takes more, or can take nothing any more. */
function drained(response: ServerResponse): Promise<void> {
  if (gone(response)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/**
 * Sends XML with its Content-Length known up front. The content is encoded a piece at a time, keeping about
 * AHEAD_BYTES of it ahead of the socket, so its base64 text never exists whole. Resolves once the reply is written, or abandoned by the peer.
 */
export async function sendXml(response: ServerResponse, status: number, contentType: string, xml: XmlReply): Promise<void> {
  const content = xml.content ?? Buffer.alloc(0);
  const length = Buffer.byteLength(xml.head) + base64Length(content.length) + Buffer.byteLength(xml.tail);
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': length });
  response.write(xml.head);
  for (let offset = 0; offset < content.length && !gone(response); offset += PIECE_BYTES) {
    const piece = content.toString('base64', offset, offset + PIECE_BYTES);
    if (!response.write(piece, 'latin1') && response.writableLength > AHEAD_BYTES) await drained(response);
  }
  response.end(xml.tail);
  await finished(response).catch(() => undefined);
}
