// Where reply bytes go as they arrive. A reply of known length is copied into one Buffer. Buffers
// that callers are done with are kept a little while for the next replies that fit: chunk replies
// are tens of MB, and a fresh Buffer that size costs more in page faults than its bytes cost to
// copy. A few are kept, one per chunk a transfer may have in flight.

/** Spares that nobody asks for this long are let go. */
const SPARE_IDLE_MS = 2_000;
/** The most spares kept at once. */
const MAX_SPARES = 8;

/**
 * Where a reply's bytes go as they arrive, like a Writable: the transport writes each reply into it
 * and takes `bytes()` as the reply's body. Whoever made the sink may read more of it afterwards.
 */
export interface ReplySink {
  /** A reply begins, with its Content-Length when declared. The replies of one exchange (an NTLM handshake's) begin in turn; the last one is kept. */
  begin(declaredLength: number | undefined): void;
  add(chunk: Buffer): void;
  /** The reply as the sink keeps it, once it is complete. */
  bytes(): Buffer;
}

export class ReplyBuffers {
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

  /** Takes back a body that came from take(), once nothing refers to it any more. */
  recycle(body: Buffer): void {
    if (!this.#lent.has(body.buffer) || this.#spares.some((spare) => spare.buffer === body.buffer)) return;
    this.#spares.push(Buffer.from(body.buffer));
    // The smallest goes first: the largest serve any reply.
    if (this.#spares.length > MAX_SPARES) this.#spares.sort((a, b) => b.length - a.length).pop();
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.drop(), SPARE_IDLE_MS).unref();
  }

  drop(): void {
    this.#spares = [];
    clearTimeout(this.#idle);
  }
}

/** One reply's bytes: into a Buffer of the declared length as they come, else gathered and joined at the end. */
export class ReplyBytes implements ReplySink {
  #size = 0;
  #whole: Buffer | undefined;
  #parts: Buffer[] = [];

  constructor(private readonly buffers: ReplyBuffers) {}

  begin(declaredLength: number | undefined): void {
    this.#size = 0;
    this.#whole = declaredLength === undefined ? undefined : this.buffers.take(declaredLength);
    this.#parts = [];
  }

  add(chunk: Buffer): void {
    if (this.#whole) chunk.copy(this.#whole, this.#size);
    else this.#parts.push(chunk);
    this.#size += chunk.length;
  }

  bytes(): Buffer {
    if (this.#whole) return this.#whole.subarray(0, this.#size);
    return this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.#size);
  }
}
