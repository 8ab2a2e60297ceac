// What an upload reads from: a file path, bytes in memory, a stream, or a function that opens a
// fresh stream, cut into chunks of exactly the server's ChunkSize (the last may be shorter; an
// empty source is one empty last chunk). Files, buffers and stream factories can be read again
// from the start for a restart; a one-shot stream only when spooled to a temporary file as it is
// sent.
// Files and streams are read into Buffers that are reused, so memory does not follow the size.
import type { Stats } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { AbortError, InvalidArgumentError, SrvError } from '../../errors.js';
import { removeOnExit } from '../../util/exit-cleanup.js';
import { checkReadableFile } from '../../util/local-files.js';

/** A file path, bytes, a stream (read once), or a function that opens the stream afresh for each attempt. */
export type UploadSource = string | Uint8Array | Readable | (() => Readable | Promise<Readable>);

export interface SourceChunk {
  /** Valid until the next chunk is asked for, which may reuse its memory. */
  data: Buffer;
  last: boolean;
}

export interface ChunkSource {
  /** The file's path, or what the source is, for messages. */
  readonly name: string;
  /** The total size, when known before reading. */
  readonly totalBytes: number | undefined;
  /** Whether chunks() may be called again to start over. */
  readonly rewindable: boolean;
  chunks(size: number): AsyncGenerator<SourceChunk>;
  /**
   * How the source changed since the current pass of chunks() began (size, mtime or ctime of a
   * file), or undefined. A Buffer must not be changed by its owner during an upload.
   */
  changed(): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface OpenSourceOptions {
  /** A one-shot Readable is copied to a private temporary file as it is sent, so that a restart can read it again. */
  spool?: boolean;
  /** Stops the spooling. */
  signal?: AbortSignal | undefined;
}

export async function openSource(source: UploadSource, options: OpenSourceOptions = {}): Promise<ChunkSource> {
  if (typeof source === 'string') return openFile(source);
  if (source instanceof Uint8Array) return bufferSource(Buffer.from(source.buffer, source.byteOffset, source.byteLength));
  if (source instanceof Readable) return options.spool ? spooled(source, options.signal) : streamSource(source);
  if (typeof source === 'function') return streamFactorySource(source);
  throw new InvalidArgumentError('source', 'must be a file path, a Buffer, a Readable or a function that returns one');
}

/**
 * The stream sent as it arrives, each piece written to a temporary file of its own before it is
 * sent; a restart first copies what is left of the stream to the file, then reads the file. The
 * file is removed when the upload is done, or when the process exits first. A cancel stops the
 * reading at once: the stream may never end (standard input).
 */
async function spooled(stream: Readable, signal: AbortSignal | undefined): Promise<ChunkSource> {
  const dir = await mkdtemp(join(tmpdir(), 'srv-asmx-spool-'));
  const forget = removeOnExit(dir);
  const remove = () => rm(dir, { recursive: true, force: true }).finally(forget);
  const path = join(dir, 'source');
  let spool: FileHandle;
  try {
    spool = await open(path, 'wx', 0o600);
  } catch (error) {
    await remove();
    throw error;
  }
  if (signal) addAbortSignal(signal, stream);
  // One iterator for every pass: a pass that stops early leaves the rest of the stream to the next.
  const pieces = stream[Symbol.asyncIterator]() as AsyncIterator<string | Uint8Array>;
  let complete: ChunkSource | undefined;
  let passes = 0;
  /** The stream's next pieces, each written to the spool before it is handed on. */
  async function* arriving(): AsyncGenerator<Buffer> {
    for (;;) {
      let next: IteratorResult<string | Uint8Array>;
      try {
        next = await pieces.next();
      } catch (error) {
        throw signal?.aborted ? new AbortError(signal.reason, 'upload') : error;
      }
      if (next.done) return;
      const bytes = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      await spool.writeFile(bytes);
      yield bytes;
    }
  }
  return {
    name: 'the spooled stream',
    get totalBytes() {
      return complete?.totalBytes;
    },
    rewindable: true,
    async *chunks(size) {
      if (passes++ === 0) {
        yield* streamChunks(arriving(), size);
        return;
      }
      if (complete === undefined) {
        // What the first pass did not read goes to the spool only: a restart reads the whole input.
        const rest = arriving();
        while (!(await rest.next()).done);
        complete = await openFile(path);
      }
      yield* complete.chunks(size);
    },
    changed: unchanged,
    close: async () => {
      stream.destroy();
      await Promise.allSettled([spool.close(), complete?.close()]);
      await remove();
    },
  };
}

function streamFactorySource(open: () => Readable | Promise<Readable>): ChunkSource {
  let current: Readable | undefined;
  return {
    name: 'the stream',
    totalBytes: undefined,
    rewindable: true,
    async *chunks(size) {
      current?.destroy();
      const stream = await open();
      if (!(stream instanceof Readable)) throw new InvalidArgumentError('source', 'must return a Readable');
      current = stream;
      yield* streamChunks(stream, size);
    },
    changed: unchanged,
    close: async () => void current?.destroy(),
  };
}

async function openFile(path: string): Promise<ChunkSource> {
  await checkReadableFile(path, 'source');
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw new InvalidArgumentError('source', `cannot be read: ${(error as Error).message}`);
  }
  let pass = await file.stat();
  const source: ChunkSource = {
    name: path,
    get totalBytes() {
      return pass.size;
    },
    rewindable: true,
    async *chunks(size) {
      pass = await file.stat();
      const totalBytes = pass.size;
      const buffer = Buffer.allocUnsafe(Math.min(size, totalBytes));
      for (let position = 0; position === 0 || position < totalBytes; position += size) {
        const length = Math.min(size, totalBytes - position);
        const data = buffer.subarray(0, length);
        const { bytesRead } = await file.read(data, 0, length, position);
        if (bytesRead !== length) throw new SrvError(`the source file shrank while it was being uploaded: ${path}`);
        yield { data, last: position + length >= totalBytes };
      }
    },
    changed: async () => changeOf(pass, await file.stat()),
    close: () => file.close(),
  };
  return source;
}

/** What tells a rewritten or appended file from the one that was read, as GNU tar's "file changed as we read it" does. */
function changeOf(before: Stats, now: Stats): string | undefined {
  if (now.size !== before.size) return `its size went from ${before.size} to ${now.size} bytes`;
  if (now.mtimeMs !== before.mtimeMs) return 'it was modified';
  if (now.ctimeMs !== before.ctimeMs) return 'its status changed';
  return undefined;
}

const unchanged = async (): Promise<undefined> => undefined;

function bufferSource(bytes: Buffer): ChunkSource {
  return {
    name: 'the Buffer',
    totalBytes: bytes.length,
    rewindable: true,
    async *chunks(size) {
      for (let position = 0; position === 0 || position < bytes.length; position += size) {
        const data = bytes.subarray(position, position + size);
        yield { data, last: position + data.length >= bytes.length };
      }
    },
    changed: unchanged,
    close: async () => undefined,
  };
}

function streamSource(stream: Readable): ChunkSource {
  let started = false;
  return {
    name: 'the stream',
    totalBytes: undefined,
    rewindable: false,
    chunks(size) {
      if (started) throw new SrvError('a stream source cannot be read twice');
      started = true;
      return streamChunks(stream, size);
    },
    changed: unchanged,
    close: async () => void stream.destroy(),
  };
}

/** Whole chunks as the stream fills them, one held back to learn whether it is the last; two Buffers take turns. */
async function* streamChunks(stream: AsyncIterable<unknown>, size: number): AsyncGenerator<SourceChunk> {
  let held: Buffer | undefined;
  let filling: Buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const piece of stream) {
    let bytes: Buffer = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as string | Uint8Array);
    while (bytes.length > 0) {
      const take = bytes.copy(filling, filled, 0, Math.min(size - filled, bytes.length));
      filled += take;
      bytes = bytes.subarray(take);
      if (filled < size) continue;
      if (held) yield { data: held, last: false };
      [held, filling] = [filling, held ?? Buffer.allocUnsafe(size)];
      filled = 0;
    }
  }
  const rest = filling.subarray(0, filled);
  if (held && rest.length === 0) {
    yield { data: held, last: true };
    return;
  }
  if (held) yield { data: held, last: false };
  yield { data: rest, last: true };
}
