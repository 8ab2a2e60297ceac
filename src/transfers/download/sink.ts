// Where the verified bytes go. A sink only ever receives chunks that passed their checks.
import type { StoredRange } from './ledger.js';
import type { ResumeState, StagedIdentity } from './resume-state.js';

export interface Sink {
  /** Stores `data`, the bytes at `offset` of the file. */
  write(data: Buffer, offset: number): Promise<void>;
  /** Whether write() must be called in offset order, with no gap (a stream); a file takes chunks in any order. */
  readonly inOrder: boolean;
  /** Whether a chunk may still be referenced once write() resolved; if not, every chunk can use the same memory. */
  readonly retainsChunks: boolean;
  /** Empties the destination to start over; undefined when it cannot be rewound. */
  readonly rewind: (() => Promise<void>) | undefined;
  /**
   * Keeps what is written from now on away from the destination until commit(): for bytes that
   * only the whole file's CRC-32 vouches for. Undefined where nothing reaches it before commit() anyway.
   */
  readonly holdUntilCommit?: () => Promise<void>;
  /** Set when the destination records what is verified, for a later run to go on with (resume). */
  readonly resumable?: Resumable | undefined;
  /** Hands the complete, verified content, `size` bytes, over to the destination. */
  commit(size: number): Promise<void>;
  /** Gives up, leaving nothing partial at the destination. */
  discard(): Promise<void>;
}

/** A destination that records what is verified, so that a later run with resume goes on after any interruption. */
export interface Resumable {
  /** What an earlier run left to go on with, if anything (with resume only). */
  readonly earlier: ResumeState | undefined;
  /** The ranges whose bytes the destination still holds, as their CRC-32s prove. */
  verified(ranges: readonly StoredRange[]): Promise<StoredRange[]>;
  /** Records what is verified so far, for a later run. */
  save(staged: StagedIdentity, ranges: readonly StoredRange[]): void;
}
