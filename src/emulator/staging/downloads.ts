import { copyFile, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Session } from '../auth/tickets.js';
import { chunkBuffers } from '../buffer-pool.js';
import { newGuid } from '../guid.js';
import type { EmulatorConfig } from '../options.js';
import { fileInUse } from '../service/messages.js';
import { fileBusy } from '../storage-errors.js';
import { HandlerTable } from './handler-table.js';
import type { HandlerBinding, SessionAlive, StagedHandler } from './handler-table.js';

export interface DownloadHandler extends StagedHandler {
  /** The document path as the store displays it. */
  readonly path: string;
  readonly size: number;
  /** DownloadFileChunk calls being answered. */
  reads: number;
}

const READ_SLICE_BYTES = 1_048_576;

/** Reads up to `length` bytes at `start` into `buffer`, slice by slice, computing their CRC-32 between the reads. */
async function readWithCrc(file: FileHandle, buffer: Buffer, length: number, start: number): Promise<{ filled: number; crc: number }> {
  let filled = 0;
  let crc = 0;
  let reading = file.read(buffer, 0, Math.min(READ_SLICE_BYTES, length), start);
  for (;;) {
    const { bytesRead } = await reading;
    const slice = buffer.subarray(filled, filled + bytesRead);
    filled += bytesRead;
    const more = bytesRead > 0 && filled < length;
    if (more) reading = file.read(buffer, filled, Math.min(READ_SLICE_BYTES, length - filled), start + filled);
    crc = crc32(slice, crc);
    if (!more) return { filled, crc: crc >>> 0 };
  }
}

/** Download handlers: each stages a copy of one document version, or an archive, in `<dir>/<guid>.download`. */
export class DownloadStaging {
  readonly table: HandlerTable<DownloadHandler>;
  readonly #dir: string;
  readonly #concurrentReads: EmulatorConfig['concurrentChunkReads'];

  constructor(dir: string, ttlMs: number, binding: HandlerBinding, sessionAlive: SessionAlive, concurrentReads: EmulatorConfig['concurrentChunkReads']) {
    this.#dir = dir;
    this.table = new HandlerTable(ttlMs, binding, sessionAlive);
    this.#concurrentReads = concurrentReads;
  }

  create(session: Session, source: { file: string; path: string; size: number }): Promise<DownloadHandler> {
    return this.createWritten(session, source.path, async (file) => {
      await copyFile(source.file, file);
      return source.size;
    });
  }

  /** A handler whose staged file `write` makes (a ZIP archive) and whose size it tells. */
  async createWritten(session: Session, path: string, write: (file: string) => Promise<number>): Promise<DownloadHandler> {
    const id = newGuid();
    const file = join(this.#dir, `${id}.download`);
    let size: number;
    try {
      size = await write(file);
    } catch (error) {
      // A file written halfway (a full disk) leaves nothing staged behind.
      await rm(file, { force: true });
      throw error;
    }
    const handler: DownloadHandler = { id, ticket: session.ticket, userName: session.account.name, file, lastActivity: Date.now(), path, size, reads: 0, queue: Promise.resolve() };
    this.table.add(handler);
    return handler;
  }

  /**
   * Counts a read of the handler until the returned function ends it. With `concurrentChunkReads: 'refuse'`, a read
   * while another is under way fails, as a second read of one FileStream does.
   */
  startRead(handler: DownloadHandler): () => void {
    if (this.#concurrentReads === 'refuse' && handler.reads > 0) throw fileBusy(fileInUse(handler.id));
    handler.reads += 1;
    let ended = false;
    return () => {
      if (!ended) handler.reads -= 1;
      ended = true;
    };
  }

  /**
   * `length` bytes from `start` (fewer at the end of the file) and their CRC-32, in a buffer of the chunk pool that
   * `recycle` gives back (once, however often it is called) when nothing reads the bytes any more. The file is read
   * a slice at a time, the next slice while the CRC-32 of the last is computed.
   */
  async read(handler: DownloadHandler, start: number, length: number): Promise<{ bytes: Buffer; crc32: number; recycle: () => void }> {
    const file = await open(handler.file, 'r');
    const buffer = chunkBuffers.take(length);
    try {
      const { filled, crc } = await readWithCrc(file, buffer, length, start);
      let given = false;
      const recycle = (): void => {
        if (!given) chunkBuffers.give(buffer);
        given = true;
      };
      return { bytes: buffer.subarray(0, filled), crc32: crc, recycle };
    } catch (error) {
      chunkBuffers.give(buffer);
      throw error;
    } finally {
      await file.close();
    }
  }
}
