// The chunks of one handler, as many in flight at once as the limit says (DownloadFileChunk is
// addressed by StartOffset, and repeating it is harmless): a fixed number, or one that adapts to
// what the reads show (adaptive.ts), told of each read that comes back. A file takes each verified
// chunk at its offset as it comes; a stream takes them in offset order, the early ones waiting in
// a window of at most the limit's chunks. Each read's outcome (chunk.ts) is handled here: two of
// them make the rest of the handler go one chunk at a time, advancing by chunklength as the
// contract asks (a read the table says to make again one at a time, and a chunk shorter than
// granted before the end). What the transfer needs to know comes out as events, in the order they
// happened.
import { AbortError } from '../../errors.js';
import type { TransferBudget } from '../../calls/budget.js';
import type { ServicePort } from '../../calls/port.js';
import type { CallOptions } from '../../soap/client.js';
import type { Restart } from '../transfer.js';
import type { ReadLimit } from './adaptive.js';
import { readChunk, type ReadOutcome, type ReceivedChunk } from './chunk.js';
import type { Ledger } from './ledger.js';
import type { Pace } from '../../util/pace.js';
import type { Sink } from './sink.js';
import type { StagedFile } from './staged-file.js';

export interface WindowOptions {
  /** How many reads may be in flight; told of each one that comes back. */
  readonly concurrency: ReadLimit;
  /** Bytes a second at most: a chunk that arrived is taken in once its bytes keep to it. */
  readonly pace: Pace | undefined;
  /** The caller's signal and time limit, for every call. */
  readonly call: CallOptions;
  readonly budget: TransferBudget;
}

export type WindowEvent =
  /** A verified chunk is stored. */
  | { readonly kind: 'stored' }
  /** From here on the handler is read one chunk at a time, and why. */
  | { readonly kind: 'serial'; readonly reason: 'refused' | 'short' }
  /** A chunk that no CRC-32 vouches for, from a server that sends none for the file either, is stored. */
  | { readonly kind: 'unverified' }
  /** The handler is gone; the last event. */
  | { readonly kind: 'gone'; readonly restart: Restart };

/** Fetches and stores every chunk of `staged` that `ledger` does not have; ends when the run reaches the end, or with 'gone'. */
export function receiveChunks(port: ServicePort, staged: StagedFile, sink: Sink, ledger: Ledger, options: WindowOptions): AsyncGenerator<WindowEvent> {
  return new Window(port, staged, sink, ledger, options).run();
}

class Window {
  /** The reads in flight, by offset: each one's own cancel, and its task, which never rejects. */
  readonly #inFlight = new Map<number, { stop: AbortController; task: Promise<void> }>();
  /** Verified chunks of a stream that wait for the ones before them. */
  readonly #early = new Map<number, ReceivedChunk>();
  /** What happened since the transfer last heard. */
  readonly #events: WindowEvent[] = [];
  #serial = false;
  /** Where the next read starts, in parallel mode. */
  #next: number;
  #failure: unknown;
  #gone: Restart | undefined;
  #delivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: ServicePort,
    private readonly staged: StagedFile,
    private readonly sink: Sink,
    private readonly ledger: Ledger,
    private readonly options: WindowOptions,
  ) {
    this.#next = ledger.end;
  }

  /** Reads in flight at most, now: one once the handler is read one chunk at a time. */
  private get limit(): number {
    return this.#serial ? 1 : this.options.concurrency.limit;
  }

  async *run(): AsyncGenerator<WindowEvent> {
    for (this.dispatch(); this.#inFlight.size > 0; this.dispatch()) {
      await Promise.race([...this.#inFlight.values()].map(({ task }) => task));
      yield* this.#events.splice(0);
    }
    yield* this.#events.splice(0);
    if (this.#failure !== undefined) throw this.#failure;
    const { signal } = this.options.call;
    if (signal?.aborted) throw new AbortError(signal.reason, 'download');
    if (this.#gone) yield { kind: 'gone', restart: this.#gone };
  }

  private get stopped(): boolean {
    return this.#failure !== undefined || this.#gone !== undefined || this.options.call.signal?.aborted === true;
  }

  private dispatch(): void {
    while (!this.stopped && this.#inFlight.size < this.limit) {
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
    if (this.sink.inOrder && offset >= this.ledger.end + this.limit * this.staged.chunkSize) return undefined;
    return offset;
  }

  /** The length of what is stored or waiting at exactly `offset`. */
  private known(offset: number): number | undefined {
    return this.ledger.at(offset)?.length ?? this.#early.get(offset)?.data.length;
  }

  private async read(offset: number, stop: AbortController): Promise<void> {
    const { signal } = this.options.call;
    const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    try {
      const sent = performance.now();
      const outcome = await readChunk(this.port, this.staged, offset, {
        call: { ...this.options.call, signal: both },
        budget: this.options.budget,
        inFlight: () => this.#inFlight.size,
      });
      if ('chunk' in outcome) {
        this.options.concurrency.read({ bytes: outcome.chunk.data.length, sent, received: performance.now(), failed: outcome.retried });
        await this.options.pace?.take(outcome.chunk.data.length, both, 'download');
      }
      await this.handle(offset, outcome);
    } catch (error) {
      // A read this window stopped ends quietly: it is read again, unless the transfer is ending anyway.
      if (!stop.signal.aborted) this.fail(error);
    } finally {
      this.#inFlight.delete(offset);
    }
  }

  private async handle(offset: number, outcome: ReadOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'again':
        // The chunk is read again, one at a time: a retry of the transfer's.
        this.options.budget.retried();
        return this.goSerial('refused');
      case 'gone':
        return this.end(outcome.restart);
      case 'short':
        this.goSerial('short', offset);
        break;
      case 'verified':
        break;
    }
    if (this.sink.inOrder) await this.deliverInOrder(offset, outcome.chunk);
    else await this.store(offset, outcome.chunk);
  }

  /** From here on, one read at a time from the end of the run: the reads in flight but `keep` are stopped, their offsets read again. */
  private goSerial(reason: 'refused' | 'short', keep?: number): void {
    if (this.#serial) return;
    this.#serial = true;
    this.#early.clear();
    for (const [offset, { stop }] of this.#inFlight) if (offset !== keep) stop.abort();
    this.#events.push({ kind: 'serial', reason });
  }

  private async store(offset: number, chunk: ReceivedChunk): Promise<void> {
    if (!chunk.checked) await this.unchecked();
    await this.sink.write(chunk.data, offset);
    // A sink that is done with a chunk once written lets a later reply be decoded into its memory.
    if (!this.sink.retainsChunks) this.port.recycle(chunk.data);
    this.ledger.add({ offset, length: chunk.data.length, crc: chunk.crc });
    this.#events.push({ kind: 'stored' });
  }

  /** A chunk no chunkCRC32 vouches for: held from the destination until the whole file's CRC-32 has, if the server sends one. */
  private async unchecked(): Promise<void> {
    if (this.staged.crc32 !== undefined) return this.sink.holdUntilCommit?.();
    this.#events.push({ kind: 'unverified' });
  }

  /** A stream gets each chunk once all before it are in: deliveries run one after the other. */
  private deliverInOrder(offset: number, chunk: ReceivedChunk): Promise<void> {
    this.#early.set(offset, chunk);
    this.#delivery = this.#delivery.then(async () => {
      for (let next = this.#early.get(this.ledger.end); next && !this.stopped; next = this.#early.get(this.ledger.end)) {
        this.#early.delete(this.ledger.end);
        await this.store(this.ledger.end, next);
      }
    });
    return this.#delivery;
  }

  /** The handler is gone: the other reads stop, and the transfer hears it once they have. */
  private end(restart: Restart): void {
    this.#gone ??= restart;
    this.stopAll();
  }

  private fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.stopAll();
  }

  private stopAll(): void {
    for (const { stop } of this.#inFlight.values()) stop.abort();
  }
}
