// A payload request as the transport sends it: the envelope's head, the payload in base64 written
// slice by slice while the connection takes it, the tail. Neither a string nor a Buffer of the
// whole envelope is ever made.
import type { PayloadRequest } from '../../generated/srv.js';
import type { StreamedBody } from './transport.js';

/** Raw bytes per slice: a multiple of 3, so that slices join without padding; 64 KiB of base64, small enough for V8's young generation. */
const SLICE_BYTES = 48 * 1024;

export function payloadBody(request: PayloadRequest): StreamedBody {
  const { head, tail } = request;
  const payload = Buffer.from(request.payload.buffer, request.payload.byteOffset, request.payload.byteLength);
  return {
    byteLength: head.length + base64Length(payload.length) + tail.length,
    *pieces() {
      yield head;
      for (let at = 0; at < payload.length; at += SLICE_BYTES) yield payload.toString('base64', at, Math.min(at + SLICE_BYTES, payload.length));
      yield tail;
    },
  };
}

/** The length of the base64 text of `bytes` bytes, padding included. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}
