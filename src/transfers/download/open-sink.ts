// The sink for a destination: a file path or a Writable.
import type { Writable } from 'node:stream';
import { InvalidArgumentError } from '../../errors.js';
import { openFileSink, type FileSinkOptions } from './file-sink.js';
import type { Sink } from './sink.js';
import { StreamSink } from './stream-sink.js';
import type { DownloadDestination } from './types.js';

/** Checks the destination and prepares it; nothing has been requested yet. */
export async function openSink(destination: DownloadDestination, options: FileSinkOptions, signal: AbortSignal | undefined): Promise<Sink> {
  if (typeof destination === 'string') return openFileSink(destination, options);
  if (!isWritable(destination)) throw new InvalidArgumentError('destination', 'must be a file path or a Writable stream');
  if (options.resume) throw new InvalidArgumentError('resume', 'needs a file path destination: what a stream was given cannot be taken back or gone on with');
  if (destination.writableEnded || destination.destroyed) throw new InvalidArgumentError('destination', 'is a stream that has already ended');
  return new StreamSink(destination, signal);
}

function isWritable(value: unknown): value is Writable {
  const candidate = value as Partial<Writable> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.write === 'function' && typeof candidate.on === 'function';
}
