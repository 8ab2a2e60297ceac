import { copyFile, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../auth/tickets.js';
import { newGuid } from '../guid.js';
import { HandlerTable } from './handler-table.js';
import type { HandlerBinding, SessionAlive, StagedHandler } from './handler-table.js';

export interface DownloadHandler extends StagedHandler {
  /** The document path as the store displays it. */
  readonly path: string;
  readonly size: number;
}

/** Download handlers: each stages a copy of one document version in `<dir>/<guid>.download`. */
export class DownloadStaging {
  readonly table: HandlerTable<DownloadHandler>;
  readonly #dir: string;

  constructor(dir: string, ttlMs: number, binding: HandlerBinding, sessionAlive: SessionAlive) {
    this.#dir = dir;
    this.table = new HandlerTable(ttlMs, binding, sessionAlive);
  }

  async create(session: Session, source: { file: string; path: string; size: number }): Promise<DownloadHandler> {
    const id = newGuid();
    const handler: DownloadHandler = {
      id,
      ticket: session.ticket,
      userName: session.account.name,
      file: join(this.#dir, `${id}.download`),
      lastActivity: Date.now(),
      path: source.path,
      size: source.size,
      queue: Promise.resolve(),
    };
    try {
      await copyFile(source.file, handler.file);
    } catch (error) {
      // A copy that failed halfway (a full disk) leaves no staged file behind.
      await rm(handler.file, { force: true });
      throw error;
    }
    this.table.add(handler);
    return handler;
  }

  async read(handler: DownloadHandler, start: number, length: number): Promise<Buffer> {
    const file = await open(handler.file, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }
}
