// One chunk of a staged file, read and verified: its length and CRC-32 must match what the server
// says, or the same offset is asked for again (safe: a chunk is addressed by its offset), as the
// decision table says. The read's outcome is the window's to handle: verified bytes, a chunk
// shorter than granted, a read to make again one at a time, or a handler that is gone.
import type { DownloadedChunk } from '../../../generated/srv.js';
import { ChecksumMismatchError, malformedReply } from '../../errors.js';
import { crc32, crcAttribute, crcToHex } from '../../integrity/crc32.js';
import type { TransferBudget } from '../../calls/budget.js';
import type { ServicePort } from '../../calls/port.js';
import type { CallOptions } from '../../soap/client.js';
import { restartOrThrow, type Restart } from '../transfer.js';
import type { StagedFile } from './staged-file.js';

const OPERATION = 'DownloadFileChunk';

export interface ReceivedChunk {
  readonly data: Buffer;
  /** The CRC-32 of `data`, checked against the server's when it sent one. */
  readonly crc: number;
  /** Whether the server's chunkCRC32 vouched for the bytes. */
  readonly checked: boolean;
}

export type ReadOutcome =
  /** `retried`: the read had to be made again before it gave these bytes. */
  | { readonly kind: 'verified'; readonly chunk: ReceivedChunk; readonly retried: boolean }
  /** Verified, but shorter than granted before the end of the file: the rest is read one chunk at a time, by chunklength. */
  | { readonly kind: 'short'; readonly chunk: ReceivedChunk; readonly retried: boolean }
  /** The server cannot serve overlapping reads of a handler: read this chunk again, one at a time. */
  | { readonly kind: 'again' }
  /** The handler is gone: the transfer starts over with a new one. */
  | { readonly kind: 'gone'; readonly restart: Restart };

export interface ReadOptions {
  readonly call: CallOptions;
  readonly budget: TransferBudget;
  /** Reads of the same handler in flight, this one included. */
  readonly inFlight: () => number;
}

/** The chunk at `offset`; a failure the table does not end in one of the outcomes is thrown. */
export async function readChunk(port: ServicePort, staged: StagedFile, offset: number, options: ReadOptions): Promise<ReadOutcome> {
  const request = { DownloadHandler: staged.handler, StartOffset: offset, ChunkSize: staged.chunkSize };
  const outcome = await port.attempt(OPERATION, request, {
    ...options.call,
    step: 'read',
    budget: options.budget,
    facts: () => ({ readsInFlight: options.inFlight() }),
    accept: (reply) => verifiedChunk(reply, staged, offset),
  });
  if (!outcome.ok) {
    if (outcome.decision.action === 'serialize') return { kind: 'again' };
    return { kind: 'gone', restart: restartOrThrow(outcome.failure.error, outcome.decision) };
  }
  const chunk = outcome.value;
  const short = offset + chunk.data.length < Math.min(offset + staged.chunkSize, staged.size);
  return { kind: short ? 'short' : 'verified', chunk, retried: outcome.failures.length > 0 };
}

/**
 * Only the bytes are load-bearing. `filelength`, `chunklength` and `chunkCRC32` are checked when
 * the server sends them; a chunk without `chunkCRC32` is vouched for by the whole file's CRC-32.
 */
function verifiedChunk(reply: DownloadedChunk, staged: StagedFile, offset: number): ReceivedChunk {
  const { filelength, chunkCRC32, content } = reply;
  const chunklength = reply.chunklength ?? content.length;
  if (filelength !== undefined && filelength !== staged.size) throw malformedReply(OPERATION, `filelength ${filelength} differs from the handler's Size ${staged.size}`);
  if (chunklength < 0 || offset + chunklength > staged.size) {
    throw malformedReply(OPERATION, `chunklength ${chunklength} at offset ${offset} does not fit in ${staged.size} bytes`);
  }
  const expected = crcAttribute(OPERATION, 'chunkCRC32', chunkCRC32);
  const actual = crc32(content);
  if (content.length !== chunklength || (expected !== undefined && actual !== expected)) {
    const claimed = expected === undefined ? 'no CRC-32' : crcToHex(expected);
    throw new ChecksumMismatchError(
      `${OPERATION} at offset ${offset}: got ${content.length} bytes with CRC-32 ${crcToHex(actual)}, the reply says ${chunklength} bytes with ${claimed}`,
      expected === undefined ? undefined : crcToHex(expected),
      crcToHex(actual),
      { operation: OPERATION },
    );
  }
  const end = offset + content.length;
  const last = reply.lastchunk ?? end >= staged.size;
  if ((last || chunklength === 0) && end < staged.size) {
    throw malformedReply(OPERATION, `lastchunk or chunklength ended the file after ${end} of ${staged.size} bytes`);
  }
  return { data: content, crc: actual, checked: expected !== undefined };
}
