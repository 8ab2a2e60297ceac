// One chunked upload as a small state machine: create a handler, send the source chunk by chunk
// (CRC-32 each), prove the staged bytes, finalize. Any path that gives a handler up before a
// successful finalize deletes it. The invariant (README, Protocol notes: upload integrity): a
// handler whose bytes are not proven equal to the source is never finalized. A lost reply to an
// append is resent only while the server's final `filehexcrc` can prove the result; otherwise the
// upload starts over, and without `filehexcrc` the stored CRC-32 is checked after the finalize.
import type { StoredDocument, UploadHandlerGrant } from '../../../generated/srv.js';
import { ChecksumMismatchError, malformedReply, MalformedReplyError, NotFoundError, ServiceError, SourceChangedError, SrvError, TransportError } from '../../errors.js';
import { crc32, crc32Combine, crcToHex, crcToWireHex, parseHexCrc } from '../../integrity/crc32.js';
import { handlerIsGone, isRequestTooLarge, isTransient } from '../../calls/failures.js';
import { retryWarning, type PortCallOptions, type ServicePort } from '../../calls/port.js';
import { withRetries } from '../../calls/retry.js';
import { isGuid } from '../../soap/arguments.js';
import {
  deleteHandler,
  isRestart,
  MAX_CHUNK_SIZE,
  MAX_INT,
  MIN_CHUNK_SIZE,
  withRestarts,
  type Restart,
  type TransferStats,
} from '../transfer.js';
import { ensureFolder, folderExists } from '../lookups.js';
import { finalizerFor, type Finalizer, type UploadDestination } from './finalizer.js';
import { openSource, type ChunkSource, type SourceChunk, type UploadSource } from './source.js';
import { uploadOptions, type SettledUploadOptions, type UploadOptions } from './upload-options.js';

const MAX_FINALIZE_ATTEMPTS = 3;
/** Once a finalize is sent, a cancel waits this long for its outcome, so that it can say what happened. */
const FINALIZE_GRACE_MS = 30_000;
/** Connection errors of a server that closes on a request body it will not read. */
const RESET_WHILE_SENDING = new Set(['ECONNRESET', 'EPIPE']);

export type { UploadOptions } from './upload-options.js';

export interface UploadResult extends TransferStats {
  /** As the finalize reply reports it; undefined when the server left it out, or the reply was lost. */
  documentId: number | undefined;
  versionId: number | undefined;
  path: string;
  /**
   * What says the document is stored: the finalize reply ('finalize-reply'), or, after that reply
   * was lost, the stored CRC-32 that DocumentExists reports ('stored-crc').
   */
  confirmation: 'finalize-reply' | 'stored-crc';
}

export async function upload(port: ServicePort, source: UploadSource, destination: UploadDestination, options: UploadOptions = {}): Promise<UploadResult> {
  const finalizer = finalizerFor(destination, options.metadata);
  const settled = uploadOptions(options);
  const reader = await openSource(source, settled.spool);
  try {
    await destinationFolder(port, finalizer.folder, settled);
    return await new UploadRun(port, reader, finalizer, settled, settled.chunkSize, settled.maxRestarts).run();
  } finally {
    await reader.close();
  }
}

/** The folder must be there before a byte is sent, or be made when the caller asks for that. */
async function destinationFolder(port: ServicePort, folder: string, options: UploadOptions): Promise<void> {
  const { folders } = port.learned;
  if (folders.has(folder)) return;
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  if (!(await folderExists(port, folder, call))) {
    if (!options.createFolders) {
      throw new NotFoundError(`the folder ${folder} does not exist; create it first, or ask for it to be created (createFolders: true, or --parents)`, { operation: 'upload' });
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

/** What a successful attempt leaves: the staged bytes, and the finalize's reply (undefined when it was lost and the stored CRC-32 confirmed it). */
interface Uploaded {
  staged: Staged;
  stored: StoredDocument | undefined;
}

/** A restart for a chunk the server refused as too large: the next attempt asks for half the size. */
interface UploadRestart extends Restart {
  readonly tooLarge?: boolean;
}

const restart = (reason: SrvError): UploadRestart => ({ restart: reason });

/** Internal: the server asked for the chunk again (tryagain="true"); it was not appended. */
class ChunkNotAppended extends Error {}

class UploadRun {
  private handler: string | undefined;
  private chunkSize: number;
  private retries = 0;
  private restarts = 0;
  private readonly callOptions: PortCallOptions;

  constructor(
    private readonly port: ServicePort,
    private readonly source: ChunkSource,
    private readonly finalizer: Finalizer,
    private readonly options: SettledUploadOptions,
    chunkSize: number,
    private readonly maxRestarts: number,
  ) {
    // A server that refused larger chunks as too large is asked for no more than what it took.
    this.chunkSize = Math.min(chunkSize, port.learned.uploadChunkLimit ?? MAX_CHUNK_SIZE);
    this.callOptions = { signal: options.signal, timeoutMs: options.timeoutMs };
  }

  private get padCrc(): boolean {
    return this.port.learned.padsCrc ?? this.options.padCrc;
  }

  async run(): Promise<UploadResult> {
    const started = performance.now();
    const { done } = await withRestarts<Uploaded, UploadRestart>(this.port, {
      name: `upload of ${this.finalizer.path}`,
      maxRestarts: this.maxRestarts,
      attempt: (restarts) => {
        this.restarts = restarts;
        return this.attempt();
      },
      cleanup: () => this.abandonHandler(),
      prepare: (next: UploadRestart) => {
        if (!this.source.rewindable) throw next.restart;
        if (next.tooLarge) this.halveChunkSize(next.restart);
      },
    });
    const { staged, stored } = done;
    return {
      documentId: stored?.DocumentId,
      versionId: stored?.VersionId,
      path: this.finalizer.path,
      confirmation: stored ? 'finalize-reply' : 'stored-crc',
      bytes: staged.bytes,
      crc32: crcToHex(staged.crc),
      chunks: staged.chunks,
      retries: this.retries,
      restarts: this.restarts,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /** Goes on with half the chunk size, and tells the session, so that its next uploads start there. */
  private halveChunkSize(reason: SrvError): void {
    const refused = this.chunkSize;
    this.chunkSize = Math.max(MIN_CHUNK_SIZE, Math.floor(refused / 2));
    this.port.learned.uploadChunkLimit = this.chunkSize;
    this.port.warn({ kind: 'notice', message: `the server refused ${refused}-byte chunks as too large; uploading ${this.finalizer.path} in ${this.chunkSize}-byte chunks`, error: reason });
  }

  private async attempt(): Promise<Uploaded | UploadRestart> {
    const { handler, chunkSize } = await this.grant();
    const staged = await this.sendAll(handler, chunkSize);
    if (isRestart(staged)) return staged;
    // From here a cancel waits, boundedly, for the outcome: the finalize may store the document.
    const grace = graceAfter(this.options.signal, FINALIZE_GRACE_MS);
    const settle = { ...this.callOptions, signal: grace.signal };
    try {
      const stored = await this.finalize(handler, staged, settle);
      if (isRestart(stored)) return stored;
      if (stored && this.port.learned.reportsFileCrc === false) {
        const mismatch = await this.confirmStored(staged, settle);
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
   * A new handler. Whatever else is wrong with the reply, a handler it names becomes this.handler,
   * so that it is deleted; a malformed grant is not retried, since every try would stage another.
   */
  private async grant(): Promise<{ handler: string; chunkSize: number }> {
    let grant: UploadHandlerGrant;
    try {
      grant = await this.port.call('CreateUploadHandler', { PreferedChunkSize: this.chunkSize }, { ...this.callOptions, onRetry: () => this.retries++ });
    } catch (error) {
      if (error instanceof MalformedReplyError && isGuid(error.handler)) this.handler = error.handler;
      throw error;
    }
    const { UploadHandler: handler, ChunkSize: chunkSize } = grant;
    if (!isGuid(handler)) throw malformedReply('CreateUploadHandler', `UploadHandler "${handler}" is not a GUID`);
    this.handler = handler;
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw malformedReply('CreateUploadHandler', `ChunkSize ${chunkSize} is outside the ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE} the service grants`, handler);
    }
    return { handler, chunkSize };
  }

  /** Sends every chunk in order and proves what the server staged. */
  private async sendAll(handler: string, chunkSize: number): Promise<Staged | UploadRestart> {
    const staged: Staged = { bytes: 0, crc: 0, chunks: 0 };
    let unproven = false;
    let fileCrc: string | undefined;
    for await (const chunk of this.source.chunks(chunkSize)) {
      if (staged.bytes <= MAX_INT && staged.bytes + chunk.data.length > MAX_INT && this.restarts === 0) {
        this.port.warn({ kind: 'notice', message: `${this.finalizer.path} is over 2 GiB: the service's sizes are 32-bit, so it may store the document, but no client can download it`, severity: 'warning' });
      }
      const sent = await this.sendChunk(handler, chunk, staged.chunks);
      if (isRestart(sent)) return sent;
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
  private async sourceChanged(): Promise<UploadRestart | undefined> {
    const change = await this.source.changed();
    if (change === undefined) return undefined;
    const error = new SourceChangedError(this.source.name, change);
    if (this.options.onSourceChange === 'restart') return restart(error);
    throw error;
  }

  /** One chunk, resent while that is safe; `ambiguous` when a resend followed a possibly applied append. `crc` is the chunk's. */
  private async sendChunk(handler: string, chunk: SourceChunk, index: number): Promise<{ ambiguous: boolean; fileCrc: string | undefined; crc: number } | UploadRestart> {
    const crc = crc32(chunk.data);
    const request = { uploadHandler: handler, fileChunk: chunk.data, chunkHEXCRC: crcToWireHex(crc, this.padCrc), lastChunk: chunk.last };
    let ambiguous = false;
    let refusals = 0;
    try {
      const ack = await withRetries(
        async () => {
          const reply = await this.port.call('UploadFileChunk', request, this.callOptions);
          if (reply.tryagain) throw new ChunkNotAppended();
          return reply;
        },
        {
          options: this.port.retry,
          signal: this.options.signal,
          canRetry: (error) => {
            if (error instanceof ChunkNotAppended) {
              // A server that wants zero-padded CRCs keeps refusing an unpadded one.
              if (++refusals >= 2 && !this.padCrc && request.chunkHEXCRC.length < 8) {
                this.port.learned.padsCrc = true;
                request.chunkHEXCRC = crcToWireHex(crc, true);
              }
              return true;
            }
            if (this.refusedAsTooLarge(error, chunk, index)) return false;
            if (error instanceof TransportError && !error.mayHaveReachedServer) return isTransient(error);
            if (!mayHaveAppended(error)) return false;
            ambiguous = true;
            return this.port.learned.reportsFileCrc !== false;
          },
          onRetry: (error, number) => {
            this.retries++;
            if (!(error instanceof ChunkNotAppended)) this.port.warn(retryWarning('UploadFileChunk', error, number, this.port.retry.retries));
          },
        },
      );
      return { ambiguous, fileCrc: ack.filehexcrc, crc };
    } catch (error) {
      return this.chunkFailure(error, chunk, index, ambiguous);
    }
  }

  /**
   * The server will not take a chunk this large: HTTP 413, a fault or error that says so, or a
   * connection reset while the first chunk was still being sent. Smaller chunks may pass.
   */
  private refusedAsTooLarge(error: unknown, chunk: SourceChunk, index: number): boolean {
    if (this.chunkSize <= MIN_CHUNK_SIZE || chunk.data.length <= MIN_CHUNK_SIZE) return false;
    if (isRequestTooLarge(error)) return true;
    return index === 0 && error instanceof TransportError && error.httpStatus === undefined && RESET_WHILE_SENDING.has(error.code ?? '');
  }

  /** What ends this chunk's tries: a restart with a new handler, or the error itself, thrown. */
  private chunkFailure(error: unknown, chunk: SourceChunk, index: number, ambiguous: boolean): UploadRestart {
    if (error instanceof ChunkNotAppended) {
      throw new ChecksumMismatchError(`the server refused the CRC-32 of chunk ${index} on every try`, crcToHex(crc32(chunk.data)), undefined, { operation: 'UploadFileChunk' });
    }
    if (this.refusedAsTooLarge(error, chunk, index)) return { restart: error as SrvError, budgeted: false, tooLarge: true };
    if (handlerIsGone(error) || mayHaveAppended(error)) return restart(error as SrvError);
    // After a reply was lost, a refusal says nothing reliable about the handler's state.
    if (ambiguous && error instanceof ServiceError) return restart(error);
    throw error;
  }

  /** Never finalize bytes that are not proven: filehexcrc when the server sends it, else no doubt at all. */
  private prove(staged: Staged, fileCrc: string | undefined, unproven: boolean): UploadRestart | undefined {
    const reports = fileCrc !== undefined && fileCrc !== '';
    this.port.learned.reportsFileCrc = reports;
    if (reports) {
      if (parseHexCrc(fileCrc) === staged.crc) return undefined;
      return restart(new ChecksumMismatchError(
        `the server staged ${staged.bytes} bytes whose CRC-32 is ${fileCrc}, but the source's is ${crcToHex(staged.crc)}`,
        crcToHex(staged.crc),
        String(fileCrc),
        { operation: 'UploadFileChunk' },
      ));
    }
    if (!unproven) return undefined;
    return restart(new TransportError('a chunk may have been appended twice after a lost reply, and the server reports no filehexcrc to prove the staged bytes', {
      operation: 'UploadFileChunk',
      mayHaveReachedServer: true,
    }));
  }

  /**
   * The finalizer, tried again with the same handler after a lost reply: a second call tells
   * whether the first one happened, since a finalize consumes its handler. Only when the handler is
   * gone after a lost reply does the stored CRC-32 decide. Undefined: the document is stored, as
   * the stored CRC-32 confirms, but the reply that would have said more was lost.
   */
  private async finalize(handler: string, staged: Staged, settle: PortCallOptions): Promise<StoredDocument | undefined | UploadRestart> {
    let replyLost = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.finalizer.finalize(this.port, handler, settle);
        this.handler = undefined;
        return stored;
      } catch (error) {
        replyLost ||= mayHaveAppended(error);
        if (attempt < MAX_FINALIZE_ATTEMPTS && mayHaveAppended(error)) continue;
        if (!handlerIsGone(error) && !mayHaveAppended(error)) throw error;
        if (replyLost && (await this.storedCrc(settle)) === staged.crc) {
          this.handler = undefined;
          return undefined;
        }
        return restart(error as SrvError);
      }
    }
  }

  /**
   * Without filehexcrc nothing proved the staged bytes before the finalize, so the stored CRC-32
   * must. A mismatch is never a success: the document is uploaded again, as a new version, or fails
   * where it had to be new.
   */
  private async confirmStored(staged: Staged, settle: PortCallOptions): Promise<UploadRestart | undefined> {
    const { path } = this.finalizer;
    let stored: number | null | undefined;
    try {
      stored = await this.storedCrc(settle);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SrvError(`${path} was stored, but its CRC-32 could not be checked (the server reports no filehexcrc): ${reason}`, { operation: 'DocumentExists', cause: error });
    }
    if (stored === undefined) {
      this.port.warn({ kind: 'notice', message: `the server reports neither filehexcrc nor CRC32LASTVERSION, so nothing can check the stored ${path}`, severity: 'warning' });
      return undefined;
    }
    if (stored === staged.crc) return undefined;
    const found = stored === null ? 'is not there' : `has CRC-32 ${crcToHex(stored)}`;
    const error = new ChecksumMismatchError(`the stored ${path} ${found}, but the source's CRC-32 is ${crcToHex(staged.crc)}`, crcToHex(staged.crc), stored === null ? undefined : crcToHex(stored), {
      operation: this.finalizer.operation,
    });
    if (this.finalizer.operation === 'UploadNewDocumentWidthHandler') throw error;
    this.port.warn({ kind: 'notice', message: `${error.message}; uploading it again`, severity: 'warning' });
    return restart(error);
  }

  /** DocumentExists' CRC-32 of the latest version: null when there is no such document, undefined when the server does not say. */
  private async storedCrc(settle: PortCallOptions): Promise<number | null | undefined> {
    try {
      const found = await this.port.call('DocumentExists', { Path: this.finalizer.path }, settle);
      return found.CRC32LASTVERSION === undefined || found.CRC32LASTVERSION.trim() === '' ? undefined : (parseHexCrc(found.CRC32LASTVERSION) ?? null);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
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
      retries: this.retries,
      restarts: this.restarts,
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

/** The server may have applied the request: a lost or broken reply, or an unhandled server error (in-band or a server fault). */
function mayHaveAppended(error: unknown): boolean {
  return isTransient(error) && !(error instanceof TransportError && !error.mayHaveReachedServer);
}
