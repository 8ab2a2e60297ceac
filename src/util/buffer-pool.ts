// Buffers of tens of MB that callers are done with, kept a little while for the next ones that fit:
// a chunk's reply, its decoded bytes, its request's base64. A fresh Buffer that size costs more in
// page faults than its bytes cost to copy. A few are kept, one per chunk a transfer may have in flight.

/** Spares that nobody asks for this long are let go. */
const SPARE_IDLE_MS = 2_000;
/** The most spares kept at once. */
const MAX_SPARES = 8;

export class BufferPool {
  #spares: Buffer[] = [];
  #idle: NodeJS.Timeout | undefined;
  readonly #lent = new WeakSet<ArrayBufferLike>();

  /** A Buffer of `length` bytes: the smallest spare that is big enough, else a fresh one. */
  take(length: number): Buffer {
    let best = -1;
    this.#spares.forEach((spare, index) => {
      if (spare.length >= length && (best < 0 || spare.length < (this.#spares[best] as Buffer).length)) best = index;
    });
    if (best >= 0) return (this.#spares.splice(best, 1)[0] as Buffer).subarray(0, length);
    const fresh = Buffer.allocUnsafeSlow(length);
    this.#lent.add(fresh.buffer);
    return fresh;
  }

  /** Takes back a Buffer that came from take(), once nothing refers to it any more; any other is ignored. */
  recycle(buffer: Buffer): void {
    if (!this.#lent.has(buffer.buffer) || this.#spares.some((spare) => spare.buffer === buffer.buffer)) return;
    this.#spares.push(Buffer.from(buffer.buffer));
    // The smallest goes first: the largest serve any request.
    if (this.#spares.length > MAX_SPARES) this.#spares.sort((a, b) => b.length - a.length).pop();
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.drop(), SPARE_IDLE_MS).unref();
  }

  drop(): void {
    this.#spares = [];
    clearTimeout(this.#idle);
  }
}
