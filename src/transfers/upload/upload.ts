// One chunked upload as a small state machine: create a handler, send the source chunk by chunk
// (CRC-32 each), prove the staged bytes, finalize. Any path that gives a handler up before a
// successful finalize deletes it. The invariant (docs/protocol.md#upload-integrity): a
// handler whose bytes are not proven equal to the source is never finalized. What a failed step
// leads to (a resend, a restart, half the chunk size, a confirmation) is the decision table's
// (calls/decisions.ts); this file carries it out.
import type { StoredDocument } from '../../../generated/srv.js';
import { ChecksumMismatchError, malformedReply, messageOf, NotFoundError, SourceChangedError, SrvError, TransportError, UnknownOutcomeError } from '../../errors.js';
import { crc32, crc32Combine, crcToHex, crcToWireHex, parseHexCrc } from '../../integrity/crc32.js';
import { TransferBudget } from '../../calls/budget.js';
import { decideCheck, smallerChunk, type Decision, type Step, type StepFacts } from '../../calls/decisions.js';
import type { FailureKinds, ServicePort } from '../../calls/port.js';
import type { CallOptions } from '../../soap/client.js';
import { isGuid } from '../../soap/arguments.js';
import {
  deleteHandler,
  deleteNamedHandlers,
  isRestart,
  MAX_CHUNK_SIZE,
  MAX_INT,
  MIN_CHUNK_SIZE,
  restartOrThrow,
  withRestarts,
  type Restart,
  type TransferStats,
} from '../transfer.js';
import { ensureFolder, folderExists } from '../lookups.js';
import { checkUploadSize } from '../documents/limits.js';
import { whileLocked } from '../documents/changes.js';
import { finalizerFor, type Finalizer, type UploadDestination } from './finalizer.js';
import { Settlement, type Found, type Snapshot } from './settlement.js';
import { openSource, type ChunkSource, type SourceChunk, type UploadSource } from './source.js';
import { uploadOptions, type SettledUploadOptions, type UploadOptions } from './upload-options.js';
import { publishRetry, traceTransfer } from '../../tracing/channels.js';
import { bytePace, type Pace } from '../../util/pace.js';

/** Once a finalize is sent, a cancel waits this long for its outcome, so that it can say what happened. */
const FINALIZE_GRACE_MS = 30_000;

export type { UploadOptions } from './upload-options.js';

export interface UploadResult extends TransferStats {
  /** As the finalize reply reports it; undefined when the server left it out, or the reply was lost. */
  documentId: number | undefined;
  versionId: number | undefined;
  path: string;
  /**
   * What says the document is stored: the finalize reply ('finalize-reply'), or, after that reply
   * was lost, a version stored since the upload began with the upload's size and CRC-32
   * ('stored-version'), or, on a server that lists no versions, the latest CRC-32, where it was
   * another before the finalize ('stored-crc').
   */
  confirmation: 'finalize-reply' | 'stored-version' | 'stored-crc';
  /** The version's Number, where a settlement found it (GetDocumentVersions); undefined otherwise. */
  versionNumber: number | undefined;
}

/** `shared`: the pace of bytes of the uploads this one is sent with (uploadMany's rateLimit), besides its own. */
export async function upload(port: ServicePort, source: UploadSource, destination: UploadDestination, options: UploadOptions = {}, shared?: Pace): Promise<UploadResult> {
  const finalizer = finalizerFor(destination, options.metadata);
  const settled = uploadOptions(options);
  const paces = [bytePace(settled.rateLimit), shared].filter((pace) => pace !== undefined);
  return traceTransfer(() => ({ kind: 'upload', path: finalizer.path, chunkSize: settled.chunkSize }), async () => {
    const reader = await openSource(source, { spool: settled.spool, signal: settled.signal });
    try {
      const call = { signal: settled.signal, timeoutMs: settled.timeoutMs };
      if (reader.totalBytes !== undefined) await checkUploadSize(port, finalizer.path, reader.totalBytes, call);
      await destinationFolder(port, finalizer.folder, settled);
      const run = () => new UploadRun(port, reader, finalizer, settled, paces).run();
      return await (settled.lock && typeof destination === 'string' ? whileLocked(port, finalizer.path, call, run) : run());
    } finally {
      await reader.close();
    }
  });
}

/** The folder must be there before a byte is sent, or be made when the caller asks for that. */
async function destinationFolder(port: ServicePort, folder: string, options: UploadOptions): Promise<void> {
  const { folders } = port.learned;
  if (folders.has(folder)) return;
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  if (!(await folderExists(port, folder, call))) {
    if (!options.createFolders) {
      throw new NotFoundError(`the folder ${folder} does not exist; create it first, or ask for it to be created (createFolders: true)`, { operation: 'upload' });
    }
    await ensureFolder(port, folder, call);
  }
  folders.add(folder);
}

/** The bytes the current handler has staged, and their CRC-32. */
interface Staged {
  bytes: number;
  crc: number;
  chunks: number;
}

/** What a successful attempt leaves: the staged bytes, and what says they are stored. */
interface Uploaded {
  staged: Staged;
  stored: Stored;
}

/** The finalize's reply, or the version a settlement found after it was lost. */
type Stored = { readonly reply: StoredDocument } | { readonly settled: Extract<Found, { kind: 'stored' }>; readonly by: Snapshot['by'] };

class UploadRun {
  private handler: string | undefined;
  private chunkSize: number;
  /** The chunk size was made smaller, and no chunk of the new size has passed yet. */
  private shrunk = false;
  /** The size of the chunk last sent, for what its request's size says. */
  private sentChunkBytes = 0;
  /** The first refusal for size of this upload: the chunk size, and the request's size where the client noted it. */
  private refusal: { chunkSize: number; requestBytes: number | undefined } | undefined;
  /** The request limit the current chunk size is kept under, once a request over it was refused. */
  private requestLimit: number | undefined;
  private readonly budget: TransferBudget;
  private readonly callOptions: CallOptions;
  private readonly settlement: Settlement;

  constructor(
    private readonly port: ServicePort,
    private readonly source: ChunkSource,
    private readonly finalizer: Finalizer,
    private readonly options: SettledUploadOptions,
    /** Each chunk waits until its bytes keep to every one of these. */
    private readonly paces: readonly Pace[],
  ) {
    // A server that refused larger chunks as too large is asked for no more than what it took.
    this.chunkSize = Math.min(options.chunkSize, port.learned.uploadChunkLimit ?? MAX_CHUNK_SIZE);
    this.budget = new TransferBudget(options.maxRestarts);
    this.settlement = new Settlement(port, finalizer.path);
    this.callOptions = { signal: options.signal, timeoutMs: options.timeoutMs };
  }

  private get padCrc(): boolean {
    return this.port.learned.padsCrc ?? this.options.padCrc;
  }

  async run(): Promise<UploadResult> {
    const started = performance.now();
    const { staged, stored } = await withRestarts<Uploaded, Restart>(this.port, {
      name: `upload of ${this.finalizer.path}`,
      path: this.finalizer.path,
      budget: this.budget,
      attempt: () => this.attempt(),
      cleanup: () => this.abandonHandler(),
      prepare: (next) => {
        if (next.action === 'halve') this.shrinkChunkSize(next.reason);
      },
    });
    const reply = 'reply' in stored ? stored.reply : undefined;
    return {
      documentId: reply?.DocumentId,
      versionId: reply?.VersionId,
      versionNumber: 'settled' in stored ? stored.settled.versionNumber : undefined,
      path: this.finalizer.path,
      confirmation: reply ? 'finalize-reply' : 'by' in stored && stored.by === 'versions' ? 'stored-version' : 'stored-crc',
      bytes: staged.bytes,
      crc32: crcToHex(staged.crc),
      chunks: staged.chunks,
      retries: this.budget.retries,
      restarts: this.budget.restarts,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /**
   * Goes on with smaller chunks (the table's smallerChunk: half, or what fits under a known limit). Once a chunk
   * that size passes, the session's next uploads start there.
   */
  private shrinkChunkSize(reason: SrvError): void {
    const refused = this.chunkSize;
    const smaller = smallerChunk(reason, refused, this.sentChunkBytes, MIN_CHUNK_SIZE);
    this.refusal ??= { chunkSize: refused, requestBytes: smaller.requestBytes };
    this.requestLimit = smaller.requestLimit;
    this.chunkSize = smaller.chunkSize;
    this.shrunk = true;
    this.port.warn({ kind: 'notice', message: `the server refused ${refused}-byte chunks as too large; uploading ${this.finalizer.path} in ${this.chunkSize}-byte chunks`, error: reason });
  }

  /**
   * A chunk of the new size passed: that is the server's limit, learnt for the session, and told once in a
   * session, the first time one is learnt.
   */
  private learnChunkLimit(): void {
    if (!this.shrunk) return;
    this.shrunk = false;
    const { learned } = this.port;
    const first = learned.uploadChunkLimit === undefined;
    learned.uploadChunkLimit = this.chunkSize;
    if (this.requestLimit !== undefined) learned.maxRequestBytes = this.requestLimit;
    if (first) this.port.warn({ kind: 'notice', message: this.limitNotice(), severity: 'warning' });
  }

  /** What the session learnt of the server's limit, in words. */
  private limitNotice(): string {
    const { chunkSize, requestBytes } = this.refusal ?? { chunkSize: this.chunkSize, requestBytes: undefined };
    const refused = requestBytes === undefined ? `chunks of ${chunkSize} bytes` : `a ${(requestBytes / 1_000_000).toFixed(1)} MB request`;
    const kept =
      this.requestLimit === undefined
        ? `chunks are kept to ${this.chunkSize} bytes`
        : `requests are kept under ${this.requestLimit.toLocaleString('en-US')} bytes (the default limit of ASP.NET Core and IIS), in ${this.chunkSize}-byte chunks`;
    return `the server refused ${refused} as too large; ${kept} for the rest of the session`;
  }

  /** What every step of this upload knows of itself: whether the source can be read again. */
  private facts(more: StepFacts = {}): StepFacts {
    return { canStartOver: this.source.rewindable, ...more };
  }

  /** The table's decision on a failed check, carried out: a restart, or the error thrown. */
  private judge(step: Step, error: SrvError, facts: StepFacts = {}): Restart {
    const { failure, decision } = decideCheck(step, error, this.facts(facts), this.port.learned);
    return restartOrThrow(failure.error, decision);
  }

  private async attempt(): Promise<Uploaded | Restart> {
    const { handler, chunkSize } = await this.grant();
    const staged = await this.sendAll(handler, chunkSize);
    if (isRestart(staged)) return staged;
    // From here a cancel waits, boundedly, for the outcome: the finalize may store the document.
    const grace = graceAfter(this.options.signal, FINALIZE_GRACE_MS);
    const settle = { ...this.callOptions, signal: grace.signal };
    try {
      const before = await this.settlement.snapshot(settle);
      const stored = await this.finalize(handler, staged, before, settle);
      if (isRestart(stored)) return stored;
      if ('reply' in stored && this.port.learned.reportsFileCrc === false) {
        const mismatch = await this.checkStored(staged, before, settle);
        if (mismatch) return mismatch;
      }
      if (this.options.signal?.aborted) {
        this.port.warn({ kind: 'notice', message: `the upload of ${this.finalizer.path} was cancelled after its finalize was sent; the document was stored`, severity: 'warning' });
      }
      return { staged, stored };
    } finally {
      grace.dispose();
    }
  }

  /**
   * A new handler. A handler a failed or malformed grant named anyway is deleted, whatever became
   * of the call; a malformed grant is not retried, since every try would stage another.
   */
  private async grant(): Promise<{ handler: string; chunkSize: number }> {
    const outcome = await this.port.attempt('CreateUploadHandler', { PreferedChunkSize: this.chunkSize }, { ...this.callOptions, step: 'grant', budget: this.budget });
    await deleteNamedHandlers(this.port, 'upload', outcome.failures);
    if (!outcome.ok) throw outcome.failure.error;
    const { UploadHandler: handler, ChunkSize: chunkSize } = outcome.value;
    if (!isGuid(handler)) throw malformedReply('CreateUploadHandler', `UploadHandler "${handler}" is not a GUID`);
    this.handler = handler;
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw malformedReply('CreateUploadHandler', `ChunkSize ${chunkSize} is outside the ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE} the service grants`, handler);
    }
    return { handler, chunkSize };
  }

  /** Sends every chunk in order and proves what the server staged. */
  private async sendAll(handler: string, chunkSize: number): Promise<Staged | Restart> {
    const staged: Staged = { bytes: 0, crc: 0, chunks: 0 };
    let unproven = false;
    let fileCrc: string | undefined;
    for await (const chunk of this.source.chunks(chunkSize)) {
      if (staged.bytes <= MAX_INT && staged.bytes + chunk.data.length > MAX_INT && this.budget.restarts === 0) {
        this.port.warn({ kind: 'notice', message: `${this.finalizer.path} is over 2 GiB: the service's sizes are 32-bit, so it may store the document, but no client can download it`, severity: 'warning' });
      }
      const sent = await this.sendChunk(handler, chunk, staged.chunks);
      if (isRestart(sent)) return sent;
      if (chunk.data.length === chunkSize) this.learnChunkLimit();
      unproven ||= sent.ambiguous;
      fileCrc = sent.fileCrc;
      staged.crc = crc32Combine(staged.crc, sent.crc, chunk.data.length);
      staged.bytes += chunk.data.length;
      staged.chunks++;
      this.report(staged);
    }
    return (await this.sourceChanged()) ?? this.prove(staged, fileCrc, unproven) ?? staged;
  }

  /** A file rewritten or appended to while it was read would be stored as a mix of versions. */
  private async sourceChanged(): Promise<Restart | undefined> {
    const change = await this.source.changed();
    if (change === undefined) return undefined;
    return this.judge('source', new SourceChangedError(this.source.name, change), { restartOnSourceChange: this.options.onSourceChange === 'restart' });
  }

  /**
   * One chunk, tried as the table says (tryagain, lost replies, too large); `ambiguous` when a
   * resend followed a possibly applied append. `crc` is the chunk's.
   */
  private async sendChunk(handler: string, chunk: SourceChunk, index: number): Promise<{ ambiguous: boolean; fileCrc: string | undefined; crc: number } | Restart> {
    for (const pace of this.paces) await pace.take(chunk.data.length, this.options.signal, 'upload');
    const crc = crc32(chunk.data);
    this.sentChunkBytes = chunk.data.length;
    const request = () => ({ uploadHandler: handler, fileChunk: chunk.data, chunkHEXCRC: crcToWireHex(crc, this.padCrc), lastChunk: chunk.last });
    const outcome = await this.port.attempt('UploadFileChunk', request, {
      ...this.callOptions,
      step: 'chunk',
      budget: this.budget,
      facts: () =>
        this.facts({
          chunkAboveMinimum: this.chunkSize > MIN_CHUNK_SIZE && chunk.data.length > MIN_CHUNK_SIZE,
          firstChunk: index === 0,
          unpaddedCrc: !this.padCrc && crcToWireHex(crc, false).length < 8,
        }),
      accept: (reply) => {
        if (!reply.tryagain) return reply;
        throw new ChecksumMismatchError(`the server refused the CRC-32 of chunk ${index} (tryagain)`, crcToHex(crc), undefined, { operation: 'UploadFileChunk' });
      },
    });
    if (!outcome.ok) return restartOrThrow(outcome.failure.error, outcome.decision);
    return { ambiguous: outcome.failures.some((failure) => failure.kind === 'maybe-applied'), fileCrc: outcome.value.filehexcrc, crc };
  }

  /** Never finalize bytes that are not proven: filehexcrc when the server sends it, else no doubt at all. */
  private prove(staged: Staged, fileCrc: string | undefined, unproven: boolean): Restart | undefined {
    const reports = fileCrc !== undefined && fileCrc !== '';
    this.port.learned.reportsFileCrc = reports;
    if (reports && parseHexCrc(fileCrc) !== staged.crc) {
      return this.judge('prove', new ChecksumMismatchError(
        `the server staged ${staged.bytes} bytes whose CRC-32 is ${fileCrc}, but the source's is ${crcToHex(staged.crc)}`,
        crcToHex(staged.crc),
        parseHexCrc(fileCrc) === undefined ? undefined : crcToHex(parseHexCrc(fileCrc) as number),
        { operation: 'UploadFileChunk' },
      ));
    }
    if (reports || !unproven) return undefined;
    return this.judge('prove', new TransportError('a chunk may have been appended twice after a lost reply, and the server reports no filehexcrc to prove the staged bytes', {
      operation: 'UploadFileChunk',
      mayHaveReachedServer: true,
    }));
  }

  /**
   * The finalizer, tried as the table says. A lost reply is never answered with a second finalize
   * before the stored versions are looked at: a version of the upload's bytes stored since `before`
   * settles it as stored; where there is none, the table says whether to send the finalize again,
   * start over, or fail, saying the outcome is unknown where it is.
   */
  private async finalize(handler: string, staged: Staged, before: Snapshot, settle: CallOptions): Promise<Stored | Restart> {
    // Every send is the same finalize: a lost reply of an earlier one explains a handler gone at a later one.
    let earlier: FailureKinds = [];
    for (let sends = 1; ; sends += 1) {
      const outcome = await this.finalizer.finalize(this.port, handler, { ...settle, step: 'finalize', budget: this.budget, facts: () => this.facts(), earlier });
      earlier = [...earlier, ...outcome.failures.map(({ kind }) => kind)];
      if (outcome.ok) {
        this.handler = undefined;
        return { reply: outcome.value };
      }
      const { failure, decision } = outcome;
      if (decision.action !== 'confirm') return restartOrThrow(failure.error, decision);
      const found = await this.settlement.find(before, staged, settle, failure.slow);
      if (found.kind === 'stored') {
        this.handler = undefined;
        return { settled: found, by: before.by };
      }
      const next = decideCheck('confirm', failure.error, this.facts({ settled: found.kind }), this.port.learned, earlier, sends <= this.port.retries);
      if (next.decision.action === 'resend') {
        publishRetry(() => ({ kind: 'retry', reason: failure.kind, message: failure.error.message, operation: this.finalizer.operation, attempt: sends }));
        this.budget.retried();
        continue;
      }
      // Nothing proved the staged bytes, and a finalize that is over left a version that is not them:
      // it may be this upload's, stored wrong, so it gets the check a stored document gets.
      if (found.kind === 'other' && this.port.learned.reportsFileCrc === false && !failure.slow) return this.storedWrong(staged);
      if (next.decision.action === 'fail') throw this.unsettled(failure.error, found, next.decision);
      return restartOrThrow(failure.error, next.decision);
    }
  }

  /** The error of a finalize the stored versions did not settle as stored. */
  private unsettled(error: SrvError, found: Exclude<Found, { kind: 'stored' }>, decision: Decision): SrvError {
    const { path, operation } = this.finalizer;
    if (decision.unknown) {
      const why = found.kind === 'unknown' ? found.why : 'no version of its bytes appeared while it was waited for';
      return new UnknownOutcomeError(`${path} may or may not be stored: ${error.message}; ${why}. Look at the document before uploading it again`, { operation, cause: error });
    }
    return new SrvError(`${path} was not stored: ${error.message}, and no version of the upload's bytes was stored since it began`, { operation, cause: error });
  }

  /**
   * Without filehexcrc nothing proved the staged bytes before the finalize, so the stored version
   * must: one stored since `before` with the upload's size and CRC-32. A mismatch is never a
   * success: the table has the document uploaded again, as a new version, or the upload fail where
   * it had to be new or cannot be read again.
   */
  private async checkStored(staged: Staged, before: Snapshot, settle: CallOptions): Promise<Restart | undefined> {
    const { path } = this.finalizer;
    const found = await this.settlement.find(before, staged, settle, false);
    if (found.kind === 'stored') return undefined;
    if (found.kind === 'unknown') {
      if (found.error !== undefined) {
        throw new SrvError(`${path} was stored, but its CRC-32 could not be checked (the server reports no filehexcrc): ${messageOf(found.error)}`, { operation: 'DocumentExists', cause: found.error });
      }
      this.port.warn({ kind: 'notice', message: `the server reports no filehexcrc, and nothing can check the stored ${path}: ${found.why}`, severity: 'warning' });
      return undefined;
    }
    return this.storedWrong(staged);
  }

  /** What the table says of a document stored since the upload began without the source's bytes: upload it again, or fail. */
  private storedWrong(staged: Staged): Restart {
    const { path, operation } = this.finalizer;
    const error = new ChecksumMismatchError(`no version of ${path} stored since the upload began has the source's CRC-32 ${crcToHex(staged.crc)}`, crcToHex(staged.crc), undefined, { operation });
    const restart = this.judge('check-stored', error, { mustBeNew: operation === 'UploadNewDocumentWidthHandler' });
    this.port.warn({ kind: 'notice', message: `${error.message}; uploading it again`, severity: 'warning' });
    return restart;
  }

  private async abandonHandler(): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    this.handler = undefined;
    await deleteHandler(this.port, 'upload', handler);
  }

  private report(staged: Staged): void {
    this.options.onProgress?.({
      bytes: staged.bytes,
      totalBytes: this.source.totalBytes,
      chunks: staged.chunks,
      retries: this.budget.retries,
      restarts: this.budget.restarts,
    });
  }
}

/** An AbortSignal that follows `signal` only `ms` after it fires. */
function graceAfter(signal: AbortSignal | undefined, ms: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => (timer = setTimeout(() => controller.abort(signal?.reason), ms));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
