import { open, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Session } from '../auth/tickets.js';
import { chunkBuffers } from '../buffer-pool.js';
import { newGuid } from '../guid.js';
import { diskFull, StorageError } from '../storage-errors.js';
import { HandlerTable } from './handler-table.js';
import type { HandlerBinding, SessionAlive, StagedHandler } from './handler-table.js';

export interface UploadHandler extends StagedHandler {
  readonly chunkSize: number;
  /** The length of the staged file: it only grows once an append is wholly on disk. */
  bytes: number;
  /** CRC-32 of the staged file's bytes; it advances with `bytes`, after the write. */
  crc: number;
  /** Set by the chunk sent with lastChunk=true. */
  complete: boolean;
}

export interface AppendOptions {
  /** The `diskFull` fault: the write runs out of space, as ENOSPC does, once this many of its bytes are written. */
  readonly failAfterBytes?: number;
}

/** What a staged file holds, read back from the disk. */
export interface StagedBytes {
  readonly size: number;
  readonly crc32: number;
}

/**
 * Writes all of `bytes` at `position`. A short write (a disk that fills up halfway) is continued until it fails;
 * `budget` is what the diskFull fault lets through.
 */
async function writeFully(file: FileHandle, bytes: Uint8Array, position: number, budget: { left: number }): Promise<number> {
  let offset = 0;
  while (offset < bytes.length) {
    const length = Math.min(bytes.length - offset, budget.left);
    if (length === 0) throw diskFull();
    const { bytesWritten } = await file.write(bytes, offset, length, position + offset);
    if (bytesWritten === 0) throw new StorageError('A write to the staged file made no progress.', 'EIO');
    offset += bytesWritten;
    budget.left -= bytesWritten;
  }
  return position + offset;
}

const MEASURE_READ_BYTES = 4_194_304;

/** Bytes per write of an append: the CRC-32 of each slice is computed while the slice is being written. */
const WRITE_SLICE_BYTES = 1_048_576;

function* slices(parts: readonly Buffer[]): Generator<Buffer> {
  for (const part of parts) {
    for (let offset = 0; offset < part.length; offset += WRITE_SLICE_BYTES) yield part.subarray(offset, offset + WRITE_SLICE_BYTES);
  }
}

/** Upload handlers: each stages the appended chunks in `<dir>/<guid>.upload`. */
export class UploadStaging {
  readonly table: HandlerTable<UploadHandler>;
  readonly #dir: string;

  constructor(dir: string, ttlMs: number, binding: HandlerBinding, sessionAlive: SessionAlive) {
    this.#dir = dir;
    this.table = new HandlerTable(ttlMs, binding, sessionAlive);
  }

  async create(session: Session, chunkSize: number): Promise<UploadHandler> {
    const id = newGuid();
    const handler: UploadHandler = {
      id,
      ticket: session.ticket,
      userName: session.account.name,
      file: join(this.#dir, `${id}.upload`),
      lastActivity: Date.now(),
      chunkSize,
      bytes: 0,
      crc: 0,
      complete: false,
      queue: Promise.resolve(),
    };
    await writeFile(handler.file, new Uint8Array(0));
    this.table.add(handler);
    return handler;
  }

  /**
   * Appends all of `parts`, or nothing: when a write fails (the disk is full, say), the staged file is truncated
   * back to its length before the append, and the error is passed on. The handler's size and CRC-32 advance only
   * once every byte is on disk, so they always describe the staged file. A handler whose file cannot be put back
   * is discarded, so that nothing can finalize its bytes.
   */
  async append(handler: UploadHandler, parts: readonly Buffer[], last: boolean, options: AppendOptions = {}): Promise<void> {
    const file = await open(handler.file, 'r+');
    let position = handler.bytes;
    let crc = handler.crc;
    try {
      const budget = { left: options.failAfterBytes ?? Number.POSITIVE_INFINITY };
      for (const slice of slices(parts)) {
        const written = writeFully(file, slice, position, budget);
        crc = crc32(slice, crc);
        position = await written;
      }
      // The fault fails an append even when it wrote all it had (an empty last chunk).
      if (options.failAfterBytes !== undefined) throw diskFull();
    } catch (error) {
      await file.truncate(handler.bytes).catch(() => this.table.remove(handler));
      await file.close();
      throw error;
    }
    await file.close();
    handler.bytes = position;
    handler.crc = crc >>> 0;
    handler.complete = last;
  }

  /**
   * The size and CRC-32 of what the staged file holds, read from the disk with positional reads into two pooled
   * buffers in turn: the next read runs while the CRC-32 of the last is computed.
   */
  async measure(handler: UploadHandler): Promise<StagedBytes> {
    const file = await open(handler.file, 'r');
    const buffers = [chunkBuffers.take(MEASURE_READ_BYTES), chunkBuffers.take(MEASURE_READ_BYTES)] as const;
    try {
      let size = 0;
      let crc = 0;
      let reading = file.read(buffers[0], 0, MEASURE_READ_BYTES, 0);
      for (let turn = 0; ; turn = 1 - turn) {
        const { bytesRead } = await reading;
        if (bytesRead === 0) return { size, crc32: crc >>> 0 };
        size += bytesRead;
        reading = file.read(buffers[1 - turn] as Buffer, 0, MEASURE_READ_BYTES, size);
        crc = crc32((buffers[turn] as Buffer).subarray(0, bytesRead), crc);
      }
    } finally {
      buffers.forEach((buffer) => chunkBuffers.give(buffer));
      await file.close();
    }
  }
}
