// The chunks of one handler, up to `concurrency` in flight at once (DownloadFileChunk is addressed
// by StartOffset, and repeating it is harmless). A file takes each verified chunk at its offset as
// it comes; a stream takes them in offset order, the early ones waiting in a window of at most
// `concurrency` chunks. Two things make the rest of the handler go one chunk at a time, advancing
// by chunklength as the contract asks: a server error while several reads were in flight (a server
// whose handler cannot serve two reads at once), and a chunk shorter than granted before the end.
import { AbortError, UnexpectedResponseError } from '../../errors.js';
import { isServerFailure } from '../../calls/failures.js';
import type { PortCallOptions, ServicePort } from '../../calls/port.js';
import { fetchChunk, type ReceivedChunk } from './chunk.js';
import type { Ledger } from './ledger.js';
import type { Sink } from './sink.js';
import type { StagedFile } from './staged-file.js';

export interface WindowOptions {
  readonly concurrency: number;
  /** The caller's signal and time limit, for every call. */
  readonly call: PortCallOptions;
  /** Told of every call that is about to be repeated. */
  readonly onRetry: () => void;
  /** Told when a verified chunk is stored. */
  readonly onStored: () => void;
  /** Before an unchecked chunk (no chunkCRC32) is stored. */
  readonly onUnchecked: () => Promise<void>;
  /** Told why the rest of the handler is read one chunk at a time. */
  readonly onSerial: (reason: 'refused' | 'short') => void;
}

/** Fetches and stores every chunk of `staged` that `ledger` does not have; resolves when the run reaches the end. */
export function receiveChunks(port: ServicePort, staged: StagedFile, sink: Sink, ledger: Ledger, options: WindowOptions): Promise<void> {
  return new Window(port, staged, sink, ledger, options).run();
}

class Window {
  /** The reads in flight, by offset: each one's own cancel, and its task, which never rejects. */
  readonly #inFlight = new Map<number, { stop: AbortController; task: Promise<void> }>();
  /** Verified chunks of a stream that wait for the ones before them. */
  readonly #early = new Map<number, ReceivedChunk>();
  #limit: number;
  #serial = false;
  /** Where the next read starts, in parallel mode. */
  #next: number;
  #failure: unknown;
  #delivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: ServicePort,
    private readonly staged: StagedFile,
    private readonly sink: Sink,
    private readonly ledger: Ledger,
    private readonly options: WindowOptions,
  ) {
    this.#limit = options.concurrency;
    this.#next = ledger.end;
  }

  async run(): Promise<void> {
    for (this.dispatch(); this.#inFlight.size > 0; this.dispatch()) {
      await Promise.race([...this.#inFlight.values()].map(({ task }) => task));
    }
    if (this.#failure !== undefined) throw this.#failure;
    const { signal } = this.options.call;
    if (signal?.aborted) throw new AbortError(signal.reason, 'download');
  }

  private dispatch(): void {
    while (this.#failure === undefined && !this.options.call.signal?.aborted && this.#inFlight.size < this.#limit) {
      const offset = this.nextOffset();
      if (offset === undefined) return;
      this.#next = offset + this.staged.chunkSize;
      const stop = new AbortController();
      this.#inFlight.set(offset, { stop, task: this.read(offset, stop) });
    }
  }

  /** The first offset from where reading goes on that is neither stored nor waiting; undefined at the end or when the window is full. */
  private nextOffset(): number | undefined {
    let offset = this.#serial ? this.ledger.end : Math.max(this.#next, this.ledger.end);
    for (let known = this.known(offset); known !== undefined; known = this.known(offset)) offset += known;
    if (offset >= this.staged.size) return undefined;
    // A stream holds what arrives early: no more than the window's worth past what it was given.
    if (this.sink.inOrder && offset >= this.ledger.end + this.#limit * this.staged.chunkSize) return undefined;
    return offset;
  }

  /** The length of what is stored or waiting at exactly `offset`. */
  private known(offset: number): number | undefined {
    return this.ledger.at(offset)?.length ?? this.#early.get(offset)?.data.length;
  }

  private async read(offset: number, stop: AbortController): Promise<void> {
    const { signal } = this.options.call;
    try {
      const chunk = await fetchChunk(this.port, this.staged, offset, {
        ...this.options.call,
        signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
        onRetry: (error) => this.onRetry(error),
      });
      this.checkLength(offset, chunk);
      if (this.sink.inOrder) await this.deliverInOrder(offset, chunk);
      else await this.store(offset, chunk);
    } catch (error) {
      // A read this window stopped is read again, unless the transfer itself is failing.
      if (!(stop.signal.aborted && this.#failure === undefined && !signal?.aborted)) this.fail(error);
    } finally {
      this.#inFlight.delete(offset);
    }
  }

  private onRetry(error: unknown): void {
    this.options.onRetry();
    if (this.#inFlight.size > 1 && isServerFailure(error)) this.goSerial('refused');
  }

  private checkLength(offset: number, chunk: ReceivedChunk): void {
    const end = offset + chunk.data.length;
    if (chunk.last && end < this.staged.size) {
      throw new UnexpectedResponseError(`DownloadFileChunk: the server ended the file after ${end} of ${this.staged.size} bytes`, {
        operation: 'DownloadFileChunk',
        mayHaveReachedServer: true,
      });
    }
    if (!this.#serial && end < Math.min(offset + this.staged.chunkSize, this.staged.size)) this.goSerial('short', offset);
  }

  /** From here on, one read at a time from the end of the run: the reads in flight but `keep` are stopped, their offsets read again. */
  private goSerial(reason: 'refused' | 'short', keep?: number): void {
    if (this.#serial) return;
    this.#serial = true;
    this.#limit = 1;
    this.#early.clear();
    for (const [offset, { stop }] of this.#inFlight) if (offset !== keep) stop.abort();
    this.options.onSerial(reason);
  }

  private async store(offset: number, chunk: ReceivedChunk): Promise<void> {
    if (!chunk.checked) await this.options.onUnchecked();
    await this.sink.write(chunk.data, offset);
    // A sink that is done with a chunk once written lets a later reply be decoded into its memory.
    if (!this.sink.retainsChunks) this.port.recycle(chunk.data);
    this.ledger.add({ offset, length: chunk.data.length, crc: chunk.crc });
    this.options.onStored();
  }

  /** A stream gets each chunk once all before it are in: deliveries run one after the other. */
  private deliverInOrder(offset: number, chunk: ReceivedChunk): Promise<void> {
    this.#early.set(offset, chunk);
    this.#delivery = this.#delivery.then(async () => {
      for (let next = this.#early.get(this.ledger.end); next && this.#failure === undefined; next = this.#early.get(this.ledger.end)) {
        this.#early.delete(this.ledger.end);
        await this.store(this.ledger.end, next);
      }
    });
    return this.#delivery;
  }

  private fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const { stop } of this.#inFlight.values()) stop.abort();
  }
}
