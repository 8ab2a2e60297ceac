// A stream destination: it receives verified chunks, each acknowledged by the stream before the
// next is fetched. It stays the caller's: never ended or destroyed here. Bytes that only the whole
// file's CRC-32 can vouch for (a server without chunkCRC32) are held in a temporary file and handed
// over at commit, so that the stream only ever receives verified bytes.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { AbortError } from '../../errors.js';
import { removeOnExit } from '../../util/exit-cleanup.js';
import type { Sink } from './sink.js';

/** How much of a held file is read back and handed to the stream at a time. */
const HAND_OVER_BYTES = 1_048_576;

export class StreamSink implements Sink {
  readonly inOrder = true;
  #error: Error | undefined;
  #held: HeldFile | undefined;
  /** Bytes the stream has been given. */
  #sent = 0;
  readonly #onError = (error: Error): void => {
    this.#error ??= error;
  };

  constructor(
    private readonly stream: Writable,
    private readonly signal: AbortSignal | undefined,
  ) {
    stream.on('error', this.#onError);
  }

  /** A stream may hold on to what it was given, e.g. in a PassThrough's buffer; a held file does not. */
  get retainsChunks(): boolean {
    return this.#held === undefined;
  }

  /** Only what is held can be taken back, and only while the stream has been given nothing. */
  get rewind(): (() => Promise<void>) | undefined {
    const held = this.#held;
    return held && this.#sent === 0 ? () => held.empty() : undefined;
  }

  async holdUntilCommit(): Promise<void> {
    this.#held ??= await HeldFile.create();
  }

  write(data: Buffer): Promise<void> {
    return this.#held ? this.#held.append(data) : this.send(data);
  }

  async commit(): Promise<void> {
    const held = this.#held;
    if (held) {
      for await (const piece of held.pieces()) await this.send(piece);
      await held.remove();
    }
    this.release();
  }

  async discard(): Promise<void> {
    await this.#held?.remove();
    this.release();
  }

  private send(data: Buffer): Promise<void> {
    return unlessAborted(
      () =>
        new Promise((resolve, reject) => {
          if (this.#error) return reject(this.#error);
          this.stream.write(data, (error) => {
            if (!error) {
              this.#sent += data.length;
              return resolve();
            }
            this.#onError(error);
            reject(error);
          });
        }),
      this.signal,
    );
  }

  /** A failed stream keeps the listener: its 'error' event may still be on the way, and must not go unheard. */
  private release(): void {
    if (!this.#error) this.stream.off('error', this.#onError);
  }
}

/** A private temporary file that bytes are appended to and read back from, removed even when the process exits at once. */
class HeldFile {
  #size = 0;
  readonly #forgetAtExit: () => void;

  private constructor(
    private readonly dir: string,
    private readonly file: FileHandle,
  ) {
    this.#forgetAtExit = removeOnExit(dir);
  }

  static async create(): Promise<HeldFile> {
    const dir = await mkdtemp(join(tmpdir(), 'srv-asmx-held-'));
    return new HeldFile(dir, await open(join(dir, 'download'), 'w+', 0o600));
  }

  async append(data: Buffer): Promise<void> {
    for (let written = 0; written < data.length; ) {
      written += (await this.file.write(data, written, data.length - written, this.#size + written)).bytesWritten;
    }
    this.#size += data.length;
  }

  async empty(): Promise<void> {
    await this.file.truncate(0);
    this.#size = 0;
  }

  /** Fresh Buffers, since the stream may keep them. */
  async *pieces(): AsyncGenerator<Buffer> {
    for (let position = 0; position < this.#size; position += HAND_OVER_BYTES) {
      const piece = Buffer.allocUnsafe(Math.min(HAND_OVER_BYTES, this.#size - position));
      const { bytesRead } = await this.file.read(piece, 0, piece.length, position);
      yield piece.subarray(0, bytesRead);
    }
  }

  async remove(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
    this.#forgetAtExit();
  }
}

/** A consumer that stops reading must not keep a cancelled download waiting. */
function unlessAborted(work: () => Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason, 'download'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
