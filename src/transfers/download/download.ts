// A chunked, verified download (README, Protocol notes: downloads): stage the document, fetch it
// chunk by chunk, check every chunk and the whole file, and hand it to the destination only when
// everything matched. A lost handler or a bad whole-file CRC starts over with a new handler, a
// bounded number of times; the bytes stored so far are kept when the new handler provably stages
// the same file.
import { AbortError, ChecksumMismatchError, SrvError, UnexpectedResponseError } from '../../errors.js';
import { crc32Combine, crcToHex } from '../../integrity/crc32.js';
import { handlerIsGone } from '../../port/policy.js';
import type { ServicePort } from '../../port/port.js';
import { deleteHandler, withRestarts, type Restart } from '../transfer.js';
import { fetchChunk } from './chunk.js';
import { openSink } from './open-sink.js';
import { planDownload, type DownloadPlan } from './plan.js';
import type { Sink } from './sink.js';
import { stageFile, type StagedFile } from './staged-file.js';
import type { DownloadDestination, DownloadOptions, DownloadResult, DownloadSource } from './types.js';

export type { DownloadDestination, DownloadOptions, DownloadResult, DownloadSource } from './types.js';

export async function download(port: ServicePort, source: DownloadSource, destination: DownloadDestination, options: DownloadOptions = {}): Promise<DownloadResult> {
  const started = performance.now();
  const plan = planDownload(source, options);
  const sink = await openSink(destination, plan.overwrite, plan.call.signal);
  try {
    const result = await new Transfer(port, plan, sink).run();
    const { signal } = plan.call;
    if (signal?.aborted) throw new AbortError(signal.reason, 'download');
    await sink.commit();
    return { ...result, elapsedMs: Math.round(performance.now() - started) };
  } catch (error) {
    await sink.discard().catch((cleanupError: unknown) => port.warn({ kind: 'cleanup', message: 'could not remove the unfinished download', error: cleanupError }));
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
interface Interruption extends Restart {
  readonly keep: boolean;
  readonly staged: StagedFile;
}

class Transfer {
  #content: Content = EMPTY;
  #retries = 0;
  #restarts = 0;
  /** The handler of the attempt under way, deleted after it whatever happened. */
  #handler: string | undefined;
  #interruption: Interruption | undefined;

  constructor(
    private readonly port: ServicePort,
    private readonly plan: DownloadPlan,
    private readonly sink: Sink,
  ) {}

  async run(): Promise<Omit<DownloadResult, 'elapsedMs'>> {
    const { done } = await withRestarts<Omit<DownloadResult, 'elapsedMs'>, Interruption>(this.port, {
      name: `download of ${this.plan.source.path}`,
      maxRestarts: this.plan.maxRestarts,
      attempt: (restarts) => {
        this.#restarts = restarts;
        return this.attempt();
      },
      cleanup: () => this.release(),
      prepare: (interruption) => {
        if (!interruption.keep && this.#content.offset > 0 && !this.sink.rewind) throw interruption.restart;
        this.#interruption = interruption;
      },
    });
    return done;
  }

  private async attempt(): Promise<Omit<DownloadResult, 'elapsedMs'> | Interruption> {
    const staged = await stageFile(this.port, this.plan.source, this.plan.chunkSize, { ...this.plan.call, onRetry: () => this.#retries++ });
    this.#handler = staged.handler;
    await this.align(staged);
    try {
      await this.receive(staged);
    } catch (error) {
      if (handlerIsGone(error)) return { restart: error as SrvError, keep: true, staged };
      throw error;
    }
    const mismatch = this.wholeFileMismatch(staged);
    return mismatch ? { restart: mismatch, keep: false, staged } : this.result(staged);
  }

  private async release(): Promise<void> {
    const handler = this.#handler;
    this.#handler = undefined;
    if (handler !== undefined) await deleteHandler(this.port, 'download', handler);
  }

  /** Resumes where the lost handler stopped if the new one provably stages the same bytes, else starts over. */
  private async align(staged: StagedFile): Promise<void> {
    const interruption = this.#interruption;
    if (this.#content.offset === 0) return;
    if (interruption?.keep && sameContent(interruption.staged, staged)) return;
    if (!this.sink.rewind) {
      throw new SrvError(
        `download: cannot start over, ${this.#content.offset} bytes are already written to the destination stream and the new handler does not provably stage the same file`,
        { operation: 'download', cause: interruption?.restart },
      );
    }
    await this.sink.rewind();
    this.#content = EMPTY;
  }

  private async receive(staged: StagedFile): Promise<void> {
    while (this.#content.offset < staged.size) {
      const { offset, crc, chunks } = this.#content;
      const chunk = await fetchChunk(this.port, staged, offset, { ...this.plan.call, onRetry: () => this.#retries++ });
      const end = offset + chunk.data.length;
      if (chunk.last && end < staged.size) {
        throw new UnexpectedResponseError(`DownloadFileChunk: the server ended the file after ${end} of ${staged.size} bytes`, {
          operation: 'DownloadFileChunk',
          mayHaveReachedServer: true,
        });
      }
      if (!chunk.checked) await this.uncheckedChunk(staged, chunks);
      await this.sink.write(chunk.data);
      // A sink that is done with a chunk once written lets the next one be decoded into its memory.
      if (!this.sink.retainsChunks) this.port.recycle(chunk.data);
      this.#content = { offset: end, crc: crc32Combine(crc, chunk.crc, chunk.data.length), chunks: chunks + 1 };
      this.plan.onProgress?.({ bytes: end, totalBytes: staged.size, chunks: chunks + 1, retries: this.#retries, restarts: this.#restarts });
    }
  }

  /** A chunk no chunkCRC32 vouches for: held from the destination until the whole file's CRC-32 has, if the server sends one. */
  private async uncheckedChunk(staged: StagedFile, index: number): Promise<void> {
    if (staged.crc32 !== undefined) return this.sink.holdUntilCommit?.();
    if (index === 0) {
      this.port.warn({ kind: 'notice', message: `download of ${this.plan.source.path}: the server sends no CRC-32 for its chunks or the file, so nothing can verify the bytes`, severity: 'warning' });
    }
  }

  private wholeFileMismatch(staged: StagedFile): ChecksumMismatchError | undefined {
    if (staged.crc32 === undefined || staged.crc32 === this.#content.crc) return undefined;
    const [expected, actual] = [crcToHex(staged.crc32), crcToHex(this.#content.crc)];
    return new ChecksumMismatchError(`download: the ${staged.size} bytes received have CRC-32 ${actual}, the server's CRC32 of the file is ${expected}`, expected, actual, {
      operation: 'download',
    });
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

/** Only a whole-file CRC-32 proves two handlers stage the same bytes. */
function sameContent(a: StagedFile, b: StagedFile): boolean {
  return a.size === b.size && a.crc32 !== undefined && a.crc32 === b.crc32;
}
