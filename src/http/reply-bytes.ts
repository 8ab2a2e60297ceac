// Where reply bytes go as they arrive. A reply of known length is copied into one Buffer; the
// transport keeps the last such Buffer once its caller is done with it, for the next reply that
// fits. Chunk replies are tens of MB: a fresh Buffer that size costs more in page faults than its
// bytes cost to copy.

/** A spare that nobody asks for this long is let go. */
const SPARE_IDLE_MS = 2_000;

export class ReplyBuffers {
  #spare: Buffer | undefined;
  #idle: NodeJS.Timeout | undefined;
  readonly #lent = new WeakSet<ArrayBufferLike>();

  /** A Buffer of `length` bytes, the spare when it is big enough. */
  take(length: number): Buffer {
    const spare = this.#spare;
    if (spare && spare.length >= length) {
      this.drop();
      return spare.subarray(0, length);
    }
    const fresh = Buffer.allocUnsafeSlow(length);
    this.#lent.add(fresh.buffer);
    return fresh;
  }

  /** Takes back a body that came from take(), once nothing refers to it any more. */
  recycle(body: Buffer): void {
    if (!this.#lent.has(body.buffer) || body.buffer.byteLength <= (this.#spare?.length ?? 0)) return;
    this.#spare = Buffer.from(body.buffer);
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.drop(), SPARE_IDLE_MS).unref();
  }

  drop(): void {
    this.#spare = undefined;
    clearTimeout(this.#idle);
  }
}

/** One reply's bytes: into a Buffer of the declared length as they come, else gathered and joined at the end. */
export class ReplyBytes {
  size = 0;
  readonly #whole: Buffer | undefined;
  readonly #parts: Buffer[] = [];

  constructor(declaredLength: number | undefined, buffers: ReplyBuffers) {
    this.#whole = declaredLength === undefined ? undefined : buffers.take(declaredLength);
  }

  add(chunk: Buffer): void {
    if (this.#whole) chunk.copy(this.#whole, this.size);
    else this.#parts.push(chunk);
    this.size += chunk.length;
  }

  bytes(): Buffer {
    if (this.#whole) return this.#whole.subarray(0, this.size);
    return this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.size);
  }
}
