// Where the verified bytes go. A sink only ever receives chunks that passed their checks.
import type { Writable } from 'node:stream';
import { InvalidArgumentError } from '../../errors.js';
import { openFileSink } from './file-sink.js';
import { StreamSink } from './stream-sink.js';
import type { DownloadDestination } from './types.js';

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

/** Checks the destination and prepares it; nothing has been requested yet. */
export async function openSink(destination: DownloadDestination, overwrite: boolean, signal: AbortSignal | undefined): Promise<Sink> {
  if (typeof destination === 'string') return openFileSink(destination, overwrite);
  if (!isWritable(destination)) throw new InvalidArgumentError('destination', 'must be a file path or a Writable stream');
  if (destination.writableEnded || destination.destroyed) throw new InvalidArgumentError('destination', 'is a stream that has already ended');
  return new StreamSink(destination, signal);
}

function isWritable(value: unknown): value is Writable {
  const candidate = value as Partial<Writable> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.write === 'function' && typeof candidate.on === 'function';
}
