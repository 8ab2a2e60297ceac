// One chunk of a staged file, verified: its length and CRC-32 must match what the server says, or
// the same offset is asked for again (safe: a chunk is addressed by its offset), within the one
// retry budget of the call.
import type { DownloadedChunk } from '../../../generated/srv.js';
import { ChecksumMismatchError, malformedReply } from '../../errors.js';
import { crc32, crcAttribute, crcToHex } from '../../integrity/crc32.js';
import type { PortCallOptions, ServicePort } from '../../calls/port.js';
import type { StagedFile } from './staged-file.js';

const OPERATION = 'DownloadFileChunk';

export interface ReceivedChunk {
  readonly data: Buffer;
  /** The server says nothing follows. */
  readonly last: boolean;
  /** The CRC-32 of `data`, checked against the server's when it sent one. */
  readonly crc: number;
  /** Whether the server's chunkCRC32 vouched for the bytes. */
  readonly checked: boolean;
}

/** The chunk at `offset`, asked for again while it fails its checks or the exchange fails, within the port's retry budget. */
export async function fetchChunk(port: ServicePort, staged: StagedFile, offset: number, call: PortCallOptions<typeof OPERATION>): Promise<ReceivedChunk> {
  const request = { DownloadHandler: staged.handler, StartOffset: offset, ChunkSize: staged.chunkSize };
  let verified: ReceivedChunk | undefined;
  await port.call(OPERATION, request, { ...call, check: (reply) => void (verified = verifiedChunk(reply, staged, offset)) });
  return verified as ReceivedChunk;
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
  const last = reply.lastchunk ?? offset + content.length >= staged.size;
  return { data: content, last: last || chunklength === 0, crc: actual, checked: expected !== undefined };
}
