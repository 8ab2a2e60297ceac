// A stream destination: it receives verified chunks, each acknowledged by the stream before the
// next is fetched. It cannot be rewound, and it stays the caller's: never ended or destroyed here.
import type { Writable } from 'node:stream';
import { AbortError } from '../errors.js';
import type { Sink } from './sink.js';

export class StreamSink implements Sink {
  readonly rewind = undefined;
  /** A stream may hold on to what it was given, e.g. in a PassThrough's buffer. */
  readonly retainsChunks = true;
  #error: Error | undefined;
  readonly #onError = (error: Error): void => {
    this.#error ??= error;
  };

  constructor(
    private readonly stream: Writable,
    private readonly signal: AbortSignal | undefined,
  ) {
    stream.on('error', this.#onError);
  }

  write(data: Buffer): Promise<void> {
    return unlessAborted(() => this.send(data), this.signal);
  }

  async commit(): Promise<void> {
    this.release();
  }

  async discard(): Promise<void> {
    this.release();
  }

  private send(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#error) return reject(this.#error);
      this.stream.write(data, (error) => {
        if (!error) return resolve();
        this.#onError(error);
        reject(error);
      });
    });
  }

  /** A failed stream keeps the listener: its 'error' event may still be on the way, and must not go unheard. */
  private release(): void {
    if (!this.#error) this.stream.off('error', this.#onError);
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
