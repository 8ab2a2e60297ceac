// A chunked, verified download (docs/protocol.md#parallel-reads): stage the document, fetch its
// chunks, several at a time, check every chunk and the whole file, and hand it to the destination
// only when everything matched. A lost handler or a bad whole-file CRC starts over with a new
// handler, as the decision table says and the budget allows; the bytes stored so far are kept when
// the new handler provably stages the same file.
import { AbortError, ChecksumMismatchError, SrvError } from '../../errors.js';
import { crcToHex } from '../../integrity/crc32.js';
import { TransferBudget } from '../../calls/budget.js';
import { decideCheck } from '../../calls/decisions.js';
import type { ServicePort, SessionWarning } from '../../calls/port.js';
import { deleteHandler, restartOrThrow, withRestarts, type Restart } from '../transfer.js';
import { AdaptiveLimit, fixedLimit, type ReadLimit } from './adaptive.js';
import { Ledger } from './ledger.js';
import { openSink } from './open-sink.js';
import { planDownload, type DownloadPlan } from './plan.js';
import type { StagedIdentity } from './resume-state.js';
import type { Sink } from './sink.js';
import { stageFile, type StagedFile } from './staged-file.js';
import { receiveChunks, type WindowEvent } from './window.js';
import type { DownloadDestination, DownloadOptions, DownloadResult, DownloadSource } from './types.js';
import { traceTransfer } from '../../tracing/channels.js';

export type { DownloadDestination, DownloadOptions, DownloadResult, DownloadSource } from './types.js';

export async function download(port: ServicePort, source: DownloadSource, destination: DownloadDestination, options: DownloadOptions = {}): Promise<DownloadResult> {
  const started = performance.now();
  const plan = planDownload(source, options);
  return traceTransfer(() => ({ kind: 'download', path: plan.source.path, chunkSize: plan.chunkSize }), () => downloadTo(port, plan, destination, started));
}

async function downloadTo(port: ServicePort, plan: DownloadPlan, destination: DownloadDestination, started: number): Promise<DownloadResult> {
  const notice = (message: string) => tell(port, plan, message);
  const sink = await openSink(destination, { overwrite: plan.overwrite, resume: plan.resume, notice }, plan.call.signal);
  try {
    const result = await new DownloadRun(port, plan, sink).run();
    const { signal } = plan.call;
    if (signal?.aborted) throw new AbortError(signal.reason, 'download');
    await sink.commit(result.bytes);
    return { ...result, elapsedMs: Math.round(performance.now() - started) };
  } catch (error) {
    await sink.discard().catch((cleanupError: unknown) => port.warn({ kind: 'cleanup', message: 'could not remove the unfinished download', error: cleanupError }));
    throw error;
  }
}

/** Why an attempt ended without the file, and what it had staged. */
interface Interruption extends Restart {
  readonly staged: StagedFile;
}

class DownloadRun {
  readonly #ledger = new Ledger();
  readonly #budget: TransferBudget;
  /** Reads in flight at most: the caller's number, or one that adapts; 1 once the server showed it cannot serve more. */
  #concurrency: ReadLimit;
  #warnedUnverified = false;
  #resumedBytes = 0;
  /** The handler of the attempt under way, deleted after it whatever happened. */
  #handler: string | undefined;
  #interruption: Interruption | undefined;

  constructor(
    private readonly port: ServicePort,
    private readonly plan: DownloadPlan,
    private readonly sink: Sink,
  ) {
    const { concurrency } = plan;
    this.#concurrency = port.learned.serialChunkReads ? fixedLimit(1) : concurrency === 'auto' ? new AdaptiveLimit() : fixedLimit(concurrency);
    this.#budget = new TransferBudget(plan.maxRestarts);
  }

  run(): Promise<Omit<DownloadResult, 'elapsedMs'>> {
    return withRestarts<Omit<DownloadResult, 'elapsedMs'>, Interruption>(this.port, {
      name: `download of ${this.plan.source.path}`,
      path: this.plan.source.path,
      budget: this.#budget,
      attempt: () => this.attempt(),
      cleanup: () => this.release(),
      prepare: (interruption) => void (this.#interruption = interruption),
    });
  }

  private get restarted(): boolean {
    return this.#budget.restarts > 0;
  }

  private async attempt(): Promise<Omit<DownloadResult, 'elapsedMs'> | Interruption> {
    const staged = await stageFile(this.port, this.plan.source, this.plan.chunkSize, { ...this.plan.call, budget: this.#budget });
    this.#handler = staged.handler;
    await this.align(staged);
    const window = receiveChunks(this.port, staged, this.sink, this.#ledger, { concurrency: this.#concurrency, pace: this.plan.pace, call: this.plan.call, budget: this.#budget });
    for await (const event of window) {
      if (event.kind === 'gone') return { ...event.restart, staged };
      this.hear(event, staged);
    }
    const mismatch = this.wholeFileMismatch(staged);
    if (!mismatch) return this.result(staged);
    const canStartOver = this.#ledger.empty || this.sink.rewind !== undefined;
    const { failure, decision } = decideCheck('verify', mismatch, { canStartOver }, this.port.learned);
    return { ...restartOrThrow(failure.error, decision), staged };
  }

  private hear(event: Exclude<WindowEvent, { kind: 'gone' }>, staged: StagedFile): void {
    if (event.kind === 'stored') this.progress(staged);
    else if (event.kind === 'serial') this.serial(event.reason);
    else this.unverified();
  }

  private async release(): Promise<void> {
    const handler = this.#handler;
    this.#handler = undefined;
    if (handler !== undefined) await deleteHandler(this.port, 'download', handler);
  }

  /** Resumes where the lost handler, or an earlier run, stopped if the new one provably stages the same bytes, else starts over. */
  private async align(staged: StagedFile): Promise<void> {
    const interruption = this.#interruption;
    if (!this.restarted) return this.resumeEarlierRun(staged);
    if (this.#ledger.empty) return;
    if (interruption?.action === 'restart-keep' && sameVersion(interruption.staged, staged)) return;
    if (!this.sink.rewind) {
      throw new SrvError(
        `download: cannot start over, ${this.#ledger.end} bytes are already written to the destination stream and the new handler does not provably stage the same file`,
        { operation: 'download', cause: interruption?.reason },
      );
    }
    await this.sink.rewind();
    this.#ledger.clear();
  }

  /** Takes over the ranges an earlier run verified, re-read against their CRC-32s, when this handler stages the same version of the same request. */
  private async resumeEarlierRun(staged: StagedFile): Promise<void> {
    const resumable = this.sink.resumable;
    const earlier = resumable?.earlier;
    if (!resumable || !earlier?.staged) return;
    const { path, versionNumber } = this.plan.source;
    if (earlier.staged.path !== path || earlier.staged.requestedVersion !== versionNumber || !sameVersion(earlier.staged, staged)) {
      await this.sink.rewind?.();
      return tell(this.port, this.plan, 'what an earlier run left is not provably of the same file, so it starts over');
    }
    const inside = earlier.ranges.filter((range) => range.offset + range.length <= staged.size);
    for (const range of await resumable.verified(inside)) this.#ledger.add(range);
    const kept = this.#ledger.bytes;
    this.#resumedBytes = kept;
    tell(this.port, this.plan, `going on from an earlier run, ${kept} of ${staged.size} bytes verified again and kept`);
  }

  /** What a later run must find staged for this run's ranges to count; undefined without a whole-file CRC-32. */
  private identity(staged: StagedFile): StagedIdentity | undefined {
    if (staged.crc32 === undefined) return undefined;
    const { path, versionNumber: requestedVersion } = this.plan.source;
    const { size, crc32, versionNumber, modificationDate, chunkSize } = staged;
    return { path, requestedVersion, size, crc32, versionNumber, modificationDate, chunkSize };
  }

  private progress(staged: StagedFile): void {
    const ledger = this.#ledger;
    const identity = this.sink.resumable && this.identity(staged);
    if (identity) this.sink.resumable?.save(identity, ledger.compact());
    const { retries, restarts } = this.#budget;
    this.plan.onProgress?.({ bytes: Math.min(ledger.bytes, staged.size), totalBytes: staged.size, chunks: ledger.stored, retries, restarts });
  }

  /** The server cannot serve parallel reads: this download reads one chunk at a time (the session's next ones too, after a refusal). */
  private serial(reason: 'refused' | 'short'): void {
    this.#concurrency = fixedLimit(1);
    const why =
      reason === 'refused'
        ? 'the server failed a read while others of the same handler were in flight, so chunks are read one at a time from here on'
        : 'the server sent a chunk shorter than it granted before the end of the file, so the rest is read one chunk at a time';
    tell(this.port, this.plan, why, { operation: 'DownloadFileChunk' });
  }

  /** Said once: nothing vouches for the bytes. */
  private unverified(): void {
    if (this.#warnedUnverified) return;
    this.#warnedUnverified = true;
    tell(this.port, this.plan, 'the server sends no CRC-32 for its chunks or the file, so nothing can verify the bytes', { severity: 'warning' });
  }

  private wholeFileMismatch(staged: StagedFile): ChecksumMismatchError | undefined {
    const { crc, end } = this.#ledger;
    if (staged.crc32 === undefined || (staged.crc32 === crc && end === staged.size)) return undefined;
    const [expected, actual] = [crcToHex(staged.crc32), crcToHex(crc)];
    return new ChecksumMismatchError(`download: the ${end} bytes received have CRC-32 ${actual}, the server's CRC32 of the file is ${expected}`, expected, actual, {
      operation: 'download',
    });
  }

  private result(staged: StagedFile): Omit<DownloadResult, 'elapsedMs'> {
    const { end, crc, chunks } = this.#ledger;
    return {
      bytes: end,
      crc32: crcToHex(crc),
      chunks,
      retries: this.#budget.retries,
      restarts: this.#budget.restarts,
      resumedBytes: this.#resumedBytes,
      contentType: staged.contentType,
      fileName: staged.fileName,
      versionNumber: staged.versionNumber,
    };
  }
}

/** A notice of this download, named by its document. */
function tell(port: ServicePort, plan: DownloadPlan, message: string, more: Partial<SessionWarning> = {}): void {
  port.warn({ kind: 'notice', ...more, message: `download of ${plan.source.path}: ${message}` });
}

/** What a grant says of the file it staged. */
type VersionFacts = Pick<StagedFile, 'size' | 'crc32' | 'versionNumber' | 'modificationDate'>;

/**
 * Whether two grants, or an earlier run's and this one, provably stage the same version: the same
 * size and whole-file CRC-32 (without one, nothing is proven), and the same VersionNumber and
 * ModificationDate, each the same value or given by neither (docs/protocol.md#resume-across-runs).
 */
function sameVersion(a: VersionFacts, b: VersionFacts): boolean {
  if (a.crc32 === undefined || a.crc32 !== b.crc32 || a.size !== b.size) return false;
  return a.versionNumber === b.versionNumber && a.modificationDate === b.modificationDate;
}
