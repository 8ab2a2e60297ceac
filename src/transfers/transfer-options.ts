// The options every transfer takes (transfer.ts), and their table, which the upload's and the
// download's tables extend.
import type { OptionTable } from '../util/options.js';

/** The chunk sizes the service grants (docs/protocol.md#chunk-sizes). */
export const MIN_CHUNK_SIZE = 262_144;
export const MAX_CHUNK_SIZE = 33_554_432;

/** How far a transfer has come, for onProgress. */
export interface TransferProgress {
  /** Bytes done with the current handler: acknowledged by the server (upload), or verified and stored (download). */
  bytes: number;
  /** The whole size, when known. */
  totalBytes: number | undefined;
  /** Chunks done with the current handler. */
  chunks: number;
  /** Calls repeated so far: after transient failures, `tryagain`, or a chunk that failed its CRC-32. */
  retries: number;
  /** Times the transfer started over with a new handler. */
  restarts: number;
}

export interface TransferOptions {
  /**
   * The chunk size to ask for; the server's grant is what is used.
   * @default 4194304
   */
  chunkSize?: number;
  /**
   * How many times the transfer may start over with a new handler.
   * @default 3
   */
  maxRestarts?: number;
  /**
   * Cancels the transfer; its handler is deleted.
   * @default none
   */
  signal?: AbortSignal;
  /**
   * Time limit of each call, retries included.
   * @default the client's timeoutMs
   */
  timeoutMs?: number;
  /**
   * Bytes a second at most, on average, for the transfer's chunks: an upload waits before it sends
   * a chunk, a download before it takes in one that arrived (and so before it asks for more).
   * @default none
   */
  rateLimit?: number;
  /**
   * Told how far the transfer has come, after each chunk.
   * @default none
   */
  onProgress?: (progress: TransferProgress) => void;
}

export const TRANSFER_OPTIONS = {
  chunkSize: {
    default: 4 * 1_048_576,
    whole: true,
    min: MIN_CHUNK_SIZE,
    max: MAX_CHUNK_SIZE,
    unit: 'bytes',
    summary: "the chunk size to ask for; the server's grant is what is used",
    cli: '--chunk-size',
  },
  maxRestarts: { default: 3, whole: true, min: 0, summary: 'how many times the transfer may start over with a new handler' },
  signal: { summary: 'cancels the transfer; its handler is deleted' },
  timeoutMs: { defaultText: "the client's timeoutMs", above: 0, unit: 'ms', summary: 'time limit of each call of the transfer, retries included' },
  rateLimit: { above: 0, summary: "bytes a second at most, on average (a tenth of a second's worth may go at once): an upload's before each chunk is sent, a download's as each arrives", cli: '--bwlimit' },
  onProgress: { summary: 'told `{ bytes, totalBytes, chunks, retries, restarts }` after each chunk' },
} as const satisfies OptionTable<TransferOptions>;

export const DEFAULT_CHUNK_SIZE: number = TRANSFER_OPTIONS.chunkSize.default;
