// Where reply bytes go as they arrive. A reply of known length is copied into one Buffer of the
// transport's pool (util/buffer-pool.ts).
import type { BufferPool } from '../util/buffer-pool.js';

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

/** One reply's bytes: into a Buffer of the declared length as they come, else gathered and joined at the end. */
export class ReplyBytes implements ReplySink {
  #size = 0;
  #whole: Buffer | undefined;
  #parts: Buffer[] = [];

  constructor(private readonly buffers: BufferPool) {}

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
