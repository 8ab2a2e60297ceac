/**
 * The ZIP archives of DownloadZipWithHandler and UploadZipWithHandler: written stored (no compression), read stored
 * or deflated, one entry at a time, never the whole archive in memory. No ZIP64: the emulator's archives stay under
 * its ZIP limits, and an archive that needs ZIP64 is refused as not one it can read.
 */
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { crc32Of } from './crc.js';

export interface ZipSource {
  /** The entry's name: `/`-separated, a trailing `/` for a folder. */
  readonly name: string;
  /** The file holding the bytes; none for a folder. */
  readonly file?: string;
  readonly size: number;
  readonly crc32: number;
}

export interface ZipEntry {
  readonly name: string;
  readonly isFolder: boolean;
  readonly size: number;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
const STORED = 0;
const DEFLATED = 8;
const END_RECORD_BYTES = 22;
const MAX_COMMENT_BYTES = 65_535;

/** 1980-01-01 00:00, the earliest MS-DOS date: the emulator's archives carry no meaningful times. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

function localHeader(name: Buffer, source: ZipSource): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(STORED, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(source.crc32 >>> 0, 14);
  header.writeUInt32LE(source.size, 18);
  header.writeUInt32LE(source.size, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name]);
}

function centralHeader(name: Buffer, source: ZipSource, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(CENTRAL_HEADER, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(STORED, 10);
  header.writeUInt16LE(DOS_DATE, 14);
  header.writeUInt32LE(source.crc32 >>> 0, 16);
  header.writeUInt32LE(source.size, 20);
  header.writeUInt32LE(source.size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt32LE(source.name.endsWith('/') ? 0x10 : 0, 38);
  header.writeUInt32LE(offset, 42);
  return Buffer.concat([header, name]);
}

function endRecord(count: number, size: number, offset: number): Buffer {
  const record = Buffer.alloc(END_RECORD_BYTES);
  record.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  record.writeUInt16LE(count, 8);
  record.writeUInt16LE(count, 10);
  record.writeUInt32LE(size, 12);
  record.writeUInt32LE(offset, 16);
  return record;
}

/** Writes the archive of `sources` to `target`; resolves with its size. */
export async function writeZip(target: string, sources: readonly ZipSource[]): Promise<number> {
  if (sources.length > 0xffff) throw new Error(`${sources.length} entries are more than an archive without ZIP64 holds`);
  const out = await open(target, 'w');
  try {
    let offset = 0;
    const central: Buffer[] = [];
    for (const source of sources) {
      const name = Buffer.from(source.name, 'utf8');
      central.push(centralHeader(name, source, offset));
      const header = localHeader(name, source);
      await out.write(header);
      offset += header.length;
      if (source.file !== undefined) {
        const bytes = await readFile(source.file);
        await out.write(bytes);
        offset += bytes.length;
      }
    }
    const directory = Buffer.concat(central);
    await out.write(Buffer.concat([directory, endRecord(sources.length, directory.length, offset)]));
    return offset + directory.length + END_RECORD_BYTES;
  } finally {
    await out.close();
  }
}

/** Not an archive the emulator can read (not a ZIP, ZIP64, encrypted, or a method other than stored or deflated). */
export class InvalidZipError extends Error {}

interface CentralEntry extends ZipEntry {
  readonly method: number;
  readonly compressedSize: number;
  readonly crc32: number;
  readonly offset: number;
}

async function readAt(file: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new InvalidZipError('the archive is cut short');
  return buffer;
}

async function centralDirectory(file: FileHandle): Promise<CentralEntry[]> {
  const { size } = await file.stat();
  const tailLength = Math.min(size, END_RECORD_BYTES + MAX_COMMENT_BYTES);
  if (tailLength < END_RECORD_BYTES) throw new InvalidZipError('too short to be an archive');
  const tail = await readAt(file, tailLength, size - tailLength);
  const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end === -1 || end + END_RECORD_BYTES > tail.length) throw new InvalidZipError('no end of central directory');
  const count = tail.readUInt16LE(end + 10);
  const directory = await readAt(file, tail.readUInt32LE(end + 12), tail.readUInt32LE(end + 16));
  const entries: CentralEntry[] = [];
  for (let at = 0; entries.length < count; ) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER) throw new InvalidZipError('a damaged central directory');
    const nameLength = directory.readUInt16LE(at + 28);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    if ((directory.readUInt16LE(at + 8) & 1) !== 0) throw new InvalidZipError('an encrypted entry');
    entries.push({
      name,
      isFolder: name.endsWith('/'),
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      offset: directory.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
  }
  return entries;
}

async function entryBytes(file: FileHandle, entry: CentralEntry): Promise<Buffer> {
  const header = await readAt(file, 30, entry.offset);
  if (header.readUInt32LE(0) !== LOCAL_HEADER) throw new InvalidZipError('a damaged entry');
  const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const stored = await readAt(file, entry.compressedSize, start);
  if (entry.method !== STORED && entry.method !== DEFLATED) throw new InvalidZipError(`compression method ${entry.method}`);
  const bytes = entry.method === STORED ? stored : inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.size) });
  if (bytes.length !== entry.size || crc32Of([bytes]) !== entry.crc32) throw new InvalidZipError('an entry that does not match its CRC-32');
  return bytes;
}

/** Calls `each` with every entry of the archive at `path` in turn, and a file entry's bytes; InvalidZipError when it is none. */
export async function readZip(path: string, each: (entry: ZipEntry, bytes: Buffer) => Promise<void>): Promise<void> {
  const file = await open(path, 'r');
  try {
    for (const entry of await centralDirectory(file)) {
      await each({ name: entry.name, isFolder: entry.isFolder, size: entry.size }, entry.isFolder ? Buffer.alloc(0) : await entryBytes(file, entry));
    }
  } catch (error) {
    if (error instanceof InvalidZipError) throw error;
    // zlib's errors on a damaged deflate stream: the archive is not one the emulator can read.
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('Z_')) throw new InvalidZipError(error.message);
    throw error;
  } finally {
    await file.close();
  }
}
