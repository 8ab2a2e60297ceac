// One chunked upload as a small state machine: create a handler, send the source chunk by chunk
// (CRC-32 each), prove the staged bytes, finalize. Any path that gives a handler up before a
// successful finalize deletes it. The invariant (contract §4.2): a handler whose bytes are not
// proven equal to the source is never finalized — a lost reply to an append is resent only while
// the server's final `filehexcrc` can prove the result, otherwise the upload starts over.
import type { StoredDocument, UploadHandlerGrant } from '../../../generated/srv.js';
import {
  ChecksumMismatchError,
  InvalidArgumentError,
  malformedReply,
  MalformedReplyError,
  NotFoundError,
  ServiceError,
  SourceChangedError,
  TransportError,
  type SrvError,
} from '../../errors.js';
import { crc32, crc32Combine, crcToHex, crcToWireHex, parseHexCrc } from '../../integrity/crc32.js';
import type { TransferStats } from '../stats.js';
import { handlerIsGone, isDeadTicket, isRequestTooLarge, isTransient } from '../../port/policy.js';
import { withRetries } from '../../port/retry.js';
import { retryWarning, type SrvSession } from '../../session/session.js';
import type { CallOptions } from '../../soap/client.js';
import { isGuid } from '../../soap/values.js';
import { finalizerFor, type Finalizer, type UploadDestination } from './finalizer.js';
import type { DocumentMetadata } from './metadata.js';
import { openSource, type ChunkSource, type SourceChunk, type UploadSource } from './source.js';

export const MIN_CHUNK_SIZE = 262_144;
export const MAX_CHUNK_SIZE = 33_554_432;
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
const MAX_FINALIZE_ATTEMPTS = 3;
/** Once a finalize is sent, a cancel waits this long for its outcome, so that it can say what happened. */
const FINALIZE_GRACE_MS = 30_000;
/** The service's sizes are xsd:int: a larger document may be stored, but cannot be downloaded (contract C31). */
const MAX_INT = 2_147_483_647;

export interface UploadOptions {
  /** The chunk size to ask for (default 4 MiB); the server's answer is what is used. */
  chunkSize?: number;
  metadata?: DocumentMetadata;
  signal?: AbortSignal;
  /** Time limit of each call (default: the client's). */
  timeoutMs?: number;
  onProgress?: (progress: UploadProgress) => void;
  /** How many times the upload may start over with a new handler (default 3). */
  maxRestarts?: number;
  /** Send chunk CRCs zero-padded to 8 digits (default false, as the vendor sample does). */
  padCrc?: boolean;
  /**
   * What to do when the source file changes while it is read (its size, mtime or ctime): 'fail'
   * (the default) with SourceChangedError, or 'restart' with the new content, within maxRestarts.
   * Either way the handler is deleted and nothing is finalized from the mixed bytes.
   */
  onSourceChange?: 'fail' | 'restart';
}

export interface UploadProgress {
  /** Bytes put on the wire, resends included. */
  bytesSent: number;
  /** Bytes the server has acknowledged for the current handler. */
  bytesAcknowledged: number;
  totalBytes: number | undefined;
  /** Chunks acknowledged for the current handler. */
  chunks: number;
  retries: number;
  restarts: number;
}

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

export async function upload(session: SrvSession, source: UploadSource, destination: UploadDestination, options: UploadOptions = {}): Promise<UploadResult> {
  const finalizer = finalizerFor(destination, options.metadata);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new InvalidArgumentError('chunkSize', `must be a whole number from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}`);
  }
  const maxRestarts = options.maxRestarts ?? 3;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) throw new InvalidArgumentError('maxRestarts', 'must be a whole number ≥ 0');
  const reader = await openSource(source);
  // A server that refused larger chunks as too large is asked for no more than what it took.
  const learnt = Math.min(chunkSize, session.learned.uploadChunkLimit ?? MAX_CHUNK_SIZE);
  try {
    return await new UploadRun(session, reader, finalizer, { ...options, chunkSize: learnt, maxRestarts }).run();
  } finally {
    await reader.close();
  }
}

/** Internal: this handler is given up and the upload starts over, for `reason`. */
class Restart extends Error {
  /** `halveChunkSize`: the server refused the chunk as too large; such restarts are bounded by the sizes left, not maxRestarts. */
  constructor(readonly reason: SrvError, readonly halveChunkSize = false) {
    super(reason.message);
  }
}

/** Connection errors of a server that closes on a request body it will not read (contract C18). */
const RESET_WHILE_SENDING = new Set(['ECONNRESET', 'EPIPE']);

/** Internal: the server asked for the chunk again (tryagain="true"); it was not appended. */
class ChunkNotAppended extends Error {}

interface Staged {
  bytes: number;
  crc: number;
  chunks: number;
}

type RunOptions = UploadOptions & { chunkSize: number; maxRestarts: number };

class UploadRun {
  private handler: string | undefined;
  private chunkSize: number;
  private padCrc: boolean;
  private retries = 0;
  private restarts = 0;
  /** Restarts for other reasons than a chunk size the server refused: these count against maxRestarts. */
  private budgetedRestarts = 0;
  private bytesSent = 0;
  /** Learnt from the first last-chunk reply: whether the server reports filehexcrc. */
  private serverReportsFileCrc: boolean | undefined;
  private readonly callOptions: CallOptions;

  constructor(
    private readonly session: SrvSession,
    private readonly source: ChunkSource,
    private readonly finalizer: Finalizer,
    private readonly options: RunOptions,
  ) {
    this.chunkSize = options.chunkSize;
    this.padCrc = options.padCrc ?? false;
    this.callOptions = { signal: options.signal, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
  }

  async run(): Promise<UploadResult> {
    const started = performance.now();
    for (;;) {
      try {
        const { staged, stored } = await this.attempt();
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
      } catch (error) {
        await this.abandonHandler();
        if (!(error instanceof Restart)) throw error;
        if (!this.source.rewindable) throw error.reason;
        this.restarts++;
        if (error.halveChunkSize) {
          this.halveChunkSize(error.reason);
          continue;
        }
        if (++this.budgetedRestarts > this.options.maxRestarts) throw error.reason;
        this.session.warn({ message: `restarting the upload of ${this.finalizer.path}: ${error.reason.message}`, error: error.reason });
      }
    }
  }

  /** Goes on with half the chunk size, and tells the session, so that its next uploads start there. */
  private halveChunkSize(reason: SrvError): void {
    const refused = this.chunkSize;
    this.chunkSize = Math.max(MIN_CHUNK_SIZE, Math.floor(refused / 2));
    this.session.learned.uploadChunkLimit = this.chunkSize;
    this.session.warn({ message: `the server refused ${refused}-byte chunks as too large; uploading ${this.finalizer.path} in ${this.chunkSize}-byte chunks`, error: reason });
  }

  private async attempt(): Promise<{ staged: Staged; stored: StoredDocument | undefined }> {
    const { handler, chunkSize } = await this.grant();
    const staged = await this.sendAll(handler, chunkSize);
    // From here a cancel waits, boundedly, for the outcome: the finalize may store the document.
    const grace = graceAfter(this.options.signal, FINALIZE_GRACE_MS);
    const settle = { ...this.callOptions, signal: grace.signal };
    try {
      const stored = await this.finalize(handler, staged, settle);
      if (stored && this.serverReportsFileCrc === false) await this.confirmStored(staged, settle);
      if (this.options.signal?.aborted) {
        this.session.warn({ message: `the upload of ${this.finalizer.path} was cancelled after its finalize was sent; the document was stored`, severity: 'warning' });
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
      grant = await this.session.call('CreateUploadHandler', { PreferedChunkSize: this.chunkSize }, { ...this.callOptions, onRetry: () => this.retries++ });
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
  private async sendAll(handler: string, chunkSize: number): Promise<Staged> {
    const staged: Staged = { bytes: 0, crc: 0, chunks: 0 };
    let unproven = false;
    let fileCrc: string | undefined;
    for await (const chunk of this.source.chunks(chunkSize)) {
      if (staged.bytes <= MAX_INT && staged.bytes + chunk.data.length > MAX_INT && this.restarts === 0) {
        this.session.warn({ message: `${this.finalizer.path} is over 2 GiB: the service's sizes are 32-bit, so it may store the document, but no client can download it`, severity: 'warning' });
      }
      const sent = await this.sendChunk(handler, chunk, staged.chunks);
      unproven ||= sent.ambiguous;
      fileCrc = sent.fileCrc;
      staged.crc = crc32Combine(staged.crc, sent.crc, chunk.data.length);
      staged.bytes += chunk.data.length;
      staged.chunks++;
      this.report(staged);
    }
    await this.checkSourceUnchanged();
    this.prove(staged, fileCrc, unproven);
    return staged;
  }

  /** A file rewritten or appended to while it was read would be stored as a mix of versions. */
  private async checkSourceUnchanged(): Promise<void> {
    const change = await this.source.changed();
    if (change === undefined) return;
    const error = new SourceChangedError(this.source.name, change);
    throw this.options.onSourceChange === 'restart' ? new Restart(error) : error;
  }

  /** One chunk, resent while that is safe; `ambiguous` when a resend followed a possibly applied append. `crc` is the chunk's. */
  private async sendChunk(handler: string, chunk: SourceChunk, index: number): Promise<{ ambiguous: boolean; fileCrc: string | undefined; crc: number }> {
    const crc = crc32(chunk.data);
    const request = { uploadHandler: handler, fileChunk: chunk.data, chunkHEXCRC: crcToWireHex(crc, this.padCrc), lastChunk: chunk.last };
    let ambiguous = false;
    let refusals = 0;
    try {
      const ack = await withRetries(
        async () => {
          this.bytesSent += chunk.data.length;
          const reply = await this.session.call('UploadFileChunk', request, this.callOptions);
          if (reply.tryagain) throw new ChunkNotAppended();
          return reply;
        },
        {
          options: this.session.retry,
          signal: this.options.signal,
          canRetry: (error) => {
            if (error instanceof ChunkNotAppended) {
              // Contract C7: a server that wants zero-padded CRCs keeps refusing an unpadded one.
              if (++refusals >= 2 && !this.padCrc && request.chunkHEXCRC.length < 8) {
                this.padCrc = true;
                request.chunkHEXCRC = crcToWireHex(crc, true);
              }
              return true;
            }
            if (this.refusedAsTooLarge(error, chunk, index)) return false;
            if (error instanceof TransportError && !error.mayHaveReachedServer) return isTransient(error);
            if (!mayHaveAppended(error)) return false;
            ambiguous = true;
            return this.serverReportsFileCrc !== false;
          },
          onRetry: (error, number) => {
            this.retries++;
            if (!(error instanceof ChunkNotAppended)) this.session.warn(retryWarning('UploadFileChunk', error, number, this.session.retry.retries));
          },
        },
      );
      return { ambiguous, fileCrc: ack.filehexcrc, crc };
    } catch (error) {
      throw this.chunkFailure(error, chunk, index, ambiguous);
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

  /** What ends this chunk's tries: a restart with a new handler, or the error itself. */
  private chunkFailure(error: unknown, chunk: SourceChunk, index: number, ambiguous: boolean): unknown {
    if (error instanceof ChunkNotAppended) {
      return new ChecksumMismatchError(`the server refused the CRC-32 of chunk ${index} on every try`, 'accepted', 'tryagain', { operation: 'UploadFileChunk' });
    }
    if (this.refusedAsTooLarge(error, chunk, index)) return new Restart(error as SrvError, true);
    if (handlerIsGone(error) || (isDeadTicket(error) && this.session.canLogInAgain) || mayHaveAppended(error)) return new Restart(error as SrvError);
    // After a reply was lost, a refusal says nothing reliable about the handler's state.
    if (ambiguous && error instanceof ServiceError) return new Restart(error);
    return error;
  }

  /** Never finalize bytes that are not proven: filehexcrc when the server sends it, else no doubt at all. */
  private prove(staged: Staged, fileCrc: string | undefined, unproven: boolean): void {
    this.serverReportsFileCrc = fileCrc !== undefined && fileCrc !== '';
    if (this.serverReportsFileCrc) {
      const reported = parseHexCrc(fileCrc);
      if (reported === staged.crc) return;
      throw new Restart(new ChecksumMismatchError(
        `the server staged ${staged.bytes} bytes whose CRC-32 is ${fileCrc}, but the source's is ${crcToHex(staged.crc)}`,
        crcToHex(staged.crc),
        String(fileCrc),
        { operation: 'UploadFileChunk' },
      ));
    }
    if (unproven) {
      throw new Restart(new TransportError('a chunk may have been appended twice after a lost reply, and the server reports no filehexcrc to prove the staged bytes', {
        operation: 'UploadFileChunk',
        mayHaveReachedServer: true,
      }));
    }
  }

  /**
   * The finalizer, tried again with the same handler after a new login (contract §4.3) or a lost
   * reply: a second call tells whether the first one happened, since a finalize consumes its
   * handler. Only when the handler is gone after a lost reply does the stored CRC-32 decide.
   */
  private async finalize(handler: string, staged: Staged, settle: CallOptions): Promise<StoredDocument | undefined> {
    let replyLost = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.finalizer.finalize(this.session, handler, settle);
        this.handler = undefined;
        return stored;
      } catch (error) {
        replyLost ||= mayHaveAppended(error);
        const again = attempt < MAX_FINALIZE_ATTEMPTS && (mayHaveAppended(error) || (isDeadTicket(error) && this.session.canLogInAgain));
        if (again) continue;
        if (!handlerIsGone(error) && !mayHaveAppended(error) && !isDeadTicket(error)) throw error;
        if (replyLost && (await this.storedCrc(settle)) === staged.crc) {
          this.handler = undefined;
          return undefined;
        }
        throw new Restart(error as SrvError);
      }
    }
  }

  /**
   * Without filehexcrc nothing proved the staged bytes before the finalize, so the stored CRC-32
   * must (contract C6). A mismatch is never a success: the document is uploaded again, as a new
   * version, or fails where it had to be new.
   */
  private async confirmStored(staged: Staged, settle: CallOptions): Promise<void> {
    const stored = await this.storedCrc(settle);
    const { path } = this.finalizer;
    if (stored === undefined) {
      this.session.warn({ message: `the server reports neither filehexcrc nor CRC32LASTVERSION, so nothing can check the stored ${path}`, severity: 'warning' });
      return;
    }
    if (stored === staged.crc) return;
    const found = stored === null ? 'is not there' : `has CRC-32 ${crcToHex(stored)}`;
    const error = new ChecksumMismatchError(`the stored ${path} ${found}, but the source's CRC-32 is ${crcToHex(staged.crc)}`, crcToHex(staged.crc), stored === null ? 'missing' : crcToHex(stored), {
      operation: this.finalizer.operation,
    });
    if (this.finalizer.operation === 'UploadNewDocumentWidthHandler') throw error;
    this.session.warn({ message: `${error.message}; uploading it again`, severity: 'warning' });
    throw new Restart(error);
  }

  /** DocumentExists' CRC-32 of the latest version: null when there is no such document, undefined when the server does not say. */
  private async storedCrc(settle: CallOptions): Promise<number | null | undefined> {
    try {
      const found = await this.session.call('DocumentExists', { Path: this.finalizer.path }, settle);
      return found.CRC32LASTVERSION === undefined || found.CRC32LASTVERSION.trim() === '' ? undefined : (parseHexCrc(found.CRC32LASTVERSION) ?? null);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  /** DeleteUploadHandler, best effort: it runs after a cancel too, and its failure hides nothing. */
  private async abandonHandler(): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    this.handler = undefined;
    try {
      await this.session.call('DeleteUploadHandler', { UploadHandler: handler }, { timeoutMs: 15_000 });
    } catch (error) {
      this.session.warn({ message: 'DeleteUploadHandler failed; the server will expire the handler', operation: 'DeleteUploadHandler', error });
    }
  }

  private report(staged: Staged): void {
    this.options.onProgress?.({
      bytesSent: this.bytesSent,
      bytesAcknowledged: staged.bytes,
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
