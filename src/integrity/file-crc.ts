import { createReadStream } from 'node:fs';
import { crc32 } from './crc32.js';

/** The CRC-32 of a file, read as a stream. */
export async function crc32OfFile(path: string): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) crc = crc32(chunk as Buffer, crc);
  return crc;
}
