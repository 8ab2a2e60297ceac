import { createReadStream } from 'node:fs';
import { checkReadableFile } from '../util/local-files.js';
import { crc32, crcToHex } from './crc32.js';

/** The CRC-32 of a file, read as a stream, as the public API writes CRC-32s: 8 lower-case hex digits. */
export async function fileCrc32(path: string): Promise<string> {
  await checkReadableFile(path, 'path');
  let crc = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) crc = crc32(chunk as Buffer, crc);
  return crcToHex(crc);
}
