import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../auth/tickets.js';
import { crc32Of } from '../crc.js';
import { newGuid } from '../guid.js';
import { HandlerTable } from './handler-table.js';
import type { HandlerBinding, SessionAlive, StagedHandler } from './handler-table.js';

export interface UploadHandler extends StagedHandler {
  readonly chunkSize: number;
  bytes: number;
  /** CRC-32 of everything appended so far. */
  crc: number;
  /** Set by the chunk sent with lastChunk=true. */
  complete: boolean;
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

  async append(handler: UploadHandler, parts: readonly Buffer[], last: boolean): Promise<void> {
    const file = await open(handler.file, 'a');
    try {
      for (const part of parts) await file.write(part);
    } finally {
      await file.close();
    }
    handler.bytes += parts.reduce((sum, part) => sum + part.length, 0);
    handler.crc = crc32Of(parts, handler.crc);
    handler.complete = last;
  }
}

