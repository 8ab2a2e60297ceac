// Where the verified bytes go. A sink only ever receives chunks that passed their checks.

export interface Sink {
  write(data: Buffer): Promise<void>;
  /** Whether a chunk may still be referenced once write() resolved; if not, every chunk can use the same memory. */
  readonly retainsChunks: boolean;
  /** Empties the destination to start over; undefined when it cannot be rewound. */
  readonly rewind: (() => Promise<void>) | undefined;
  /**
   * Keeps what is written from now on away from the destination until commit(): for bytes that
   * only the whole file's CRC-32 vouches for. Undefined where nothing reaches it before commit() anyway.
   */
  readonly holdUntilCommit?: () => Promise<void>;
  /** Hands the complete, verified content over to the destination. */
  commit(): Promise<void>;
  /** Gives up, leaving nothing partial at the destination. */
  discard(): Promise<void>;
}
