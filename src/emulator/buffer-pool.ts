/**
 * Large buffers kept for reuse from one chunk to the next. A fresh multi-MB buffer per chunk costs its page faults
 * and, counted by V8 as external memory, a full garbage collection every few chunks: about 40 % of the emulator's CPU
 * per uploaded MiB. A buffer may be given back only once nothing reads it any more.
 */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #maxBytes: number;
  #freeBytes = 0;

  /** Keeps at most `maxBytes` of free buffers. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** A buffer of at least `length` bytes, of unspecified content: the smallest free one that fits, or a new one. */
  take(length: number): Buffer {
    let best = -1;
    this.#free.forEach((buffer, index) => {
      if (buffer.length >= length && (best === -1 || buffer.length < (this.#free[best] as Buffer).length)) best = index;
    });
    if (best === -1) return Buffer.allocUnsafeSlow(length);
    const [buffer] = this.#free.splice(best, 1) as [Buffer];
    this.#freeBytes -= buffer.length;
    return buffer;
  }

  give(buffer: Buffer): void {
    if (this.#freeBytes + buffer.length > this.#maxBytes) return;
    this.#free.push(buffer);
    this.#freeBytes += buffer.length;
  }
}

/** The emulator's chunk buffers (decoded uploads, read downloads): enough for a few 8 MiB chunks in flight. */
export const chunkBuffers = new BufferPool(64 * 1_048_576);
