// A chunked, verified download (contract §6): stage the document, fetch it chunk by chunk, check
// every chunk and the whole file, and hand it to the destination only when everything matched.
// A lost handler or a bad whole-file CRC starts over with a new handler, a bounded number of times.
import { AbortError, ChecksumMismatchError, SrvError, UnexpectedResponseError } from '../../errors.js';
import { crc32Combine, crcToHex } from '../../integrity/crc32.js';
import { handlerIsGone, isDeadTicket } from '../../port/policy.js';
import type { SrvSession } from '../../session/session.js';
import { fetchChunk } from './chunk.js';
import { planDownload, type DownloadPlan } from './plan.js';
import { openSink, type Sink } from './sink.js';
import { releaseHandler, stageFile, type StagedFile } from './staged-file.js';
import type { DownloadDestination, DownloadOptions, DownloadResult, DownloadSource } from './types.js';

export type { DownloadDestination, DownloadOptions, DownloadProgress, DownloadResult, DownloadSource } from './types.js';

export async function download(
  session: SrvSession,
  source: DownloadSource,
  destination: DownloadDestination,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const started = performance.now();
  const plan = planDownload(source, options);
  const sink = await openSink(destination, plan.overwrite, plan.call.signal);
  try {
    const result = await new Transfer(session, plan, sink).run();
    const { signal } = plan.call;
    if (signal?.aborted) throw new AbortError(signal.reason, 'download');
    await sink.commit();
    return { ...result, elapsedMs: Math.round(performance.now() - started) };
  } catch (error) {
    await sink.discard().catch((cleanupError: unknown) => session.warn({ message: 'could not remove the unfinished download', error: cleanupError }));
    throw error;
  }
}

/** What the sink holds so far, and its running CRC-32. */
interface Content {
  readonly offset: number;
  readonly crc: number;
  readonly chunks: number;
}

const EMPTY: Content = { offset: 0, crc: 0, chunks: 0 };

/** Why an attempt ended without the file. `keep`: the bytes stored so far are still good. */
interface Interruption {
  readonly error: unknown;
  readonly keep: boolean;
  readonly staged: StagedFile;
}

class Transfer {
  #content: Content = EMPTY;
  #retries = 0;
  #restarts = 0;
  /** Every chunk is decoded into this, when the sink is done with a chunk once it is written. */
  #chunkBuffer: Buffer | undefined;

  constructor(
    private readonly session: SrvSession,
    private readonly plan: DownloadPlan,
    private readonly sink: Sink,
  ) {}

  async run(): Promise<Omit<DownloadResult, 'elapsedMs'>> {
    let interruption: Interruption | undefined;
    for (;;) {
      const staged = await stageFile(this.session, this.plan.source, this.plan.chunkSize, { ...this.plan.call, onRetry: () => this.#retries++ });
      try {
        await this.align(staged, interruption);
        interruption = await this.attempt(staged);
        if (!interruption) return this.result(staged);
        this.allowRestart(interruption);
      } finally {
        await releaseHandler(this.session, staged.handler);
      }
    }
  }

  /** Resumes where the lost handler stopped if the new one provably stages the same bytes, else starts over. */
  private async align(staged: StagedFile, interruption: Interruption | undefined): Promise<void> {
    if (this.#content.offset === 0) return;
    if (interruption?.keep && sameContent(interruption.staged, staged)) return;
    if (!this.sink.rewind) {
      throw new SrvError(
        `download: cannot start over, ${this.#content.offset} bytes are already written to the destination stream and the new handler does not provably stage the same file`,
        { operation: 'download', cause: interruption?.error },
      );
    }
    await this.sink.rewind();
    this.#content = EMPTY;
  }

  private async attempt(staged: StagedFile): Promise<Interruption | undefined> {
    try {
      await this.receive(staged);
    } catch (error) {
      if (isHandlerLost(error)) return { error, keep: true, staged };
      throw error;
    }
    const mismatch = this.wholeFileMismatch(staged);
    return mismatch && { error: mismatch, keep: false, staged };
  }

  private async receive(staged: StagedFile): Promise<void> {
    while (this.#content.offset < staged.size) {
      const { offset, crc, chunks } = this.#content;
      const call = { ...this.plan.call, contentBuffer: this.chunkBufferFor(staged) };
      const chunk = await fetchChunk(this.session, staged, offset, call, () => this.#retries++);
      const end = offset + chunk.data.length;
      if (chunk.last && end < staged.size) {
        throw new UnexpectedResponseError(`DownloadFileChunk: the server ended the file after ${end} of ${staged.size} bytes`, {
          operation: 'DownloadFileChunk',
          mayHaveReachedServer: true,
        });
      }
      if (!chunk.checked) await this.uncheckedChunk(staged, chunks);
      await this.sink.write(chunk.data);
      this.#content = { offset: end, crc: crc32Combine(crc, chunk.crc, chunk.data.length), chunks: chunks + 1 };
      this.plan.onProgress?.({ bytesReceived: end, totalBytes: staged.size, chunkIndex: chunks, retries: this.#retries, restarts: this.#restarts });
    }
  }

  /** A chunk no chunkCRC32 vouches for: held from the destination until the whole file's CRC-32 has, if the server sends one. */
  private async uncheckedChunk(staged: StagedFile, index: number): Promise<void> {
    if (staged.crc32 !== undefined) return this.sink.holdUntilCommit?.();
    if (index === 0) {
      this.session.warn({ message: `download of ${this.plan.source.path}: the server sends no CRC-32 for its chunks or the file, so nothing can verify the bytes`, severity: 'warning' });
    }
  }

  private chunkBufferFor(staged: StagedFile): Buffer | undefined {
    if (this.sink.retainsChunks) return undefined;
    const size = Math.min(staged.chunkSize, staged.size);
    if ((this.#chunkBuffer?.length ?? -1) < size) this.#chunkBuffer = Buffer.allocUnsafe(size);
    return this.#chunkBuffer;
  }

  private wholeFileMismatch(staged: StagedFile): ChecksumMismatchError | undefined {
    if (staged.crc32 === undefined || staged.crc32 === this.#content.crc) return undefined;
    const [expected, actual] = [crcToHex(staged.crc32), crcToHex(this.#content.crc)];
    return new ChecksumMismatchError(`download: the ${staged.size} bytes received have CRC-32 ${actual}, the server's CRC32 of the file is ${expected}`, expected, actual, {
      operation: 'download',
    });
  }

  /** Throws the interruption's error when no restart is left, or when starting over would need a rewind the sink cannot do. */
  private allowRestart({ error, keep }: Interruption): void {
    if (this.#restarts >= this.plan.maxRestarts) throw error;
    if (!keep && this.#content.offset > 0 && !this.sink.rewind) throw error;
    this.#restarts++;
    this.session.warn({ message: `download of ${this.plan.source.path}: starting again with a new handler (${this.#restarts} of ${this.plan.maxRestarts})`, error });
  }

  private result(staged: StagedFile): Omit<DownloadResult, 'elapsedMs'> {
    const { offset, crc, chunks } = this.#content;
    return {
      bytes: offset,
      crc32: crcToHex(crc),
      chunks,
      retries: this.#retries,
      restarts: this.#restarts,
      contentType: staged.contentType,
      fileName: staged.fileName,
      versionNumber: staged.versionNumber,
    };
  }
}

/** The handler is gone with its session ([900]/[901]: the session has logged in again) or on its own. */
function isHandlerLost(error: unknown): boolean {
  return isDeadTicket(error) || handlerIsGone(error);
}

/** Only a whole-file CRC-32 proves two handlers stage the same bytes. */
function sameContent(a: StagedFile, b: StagedFile): boolean {
  return a.size === b.size && a.crc32 !== undefined && a.crc32 === b.crc32;
}
