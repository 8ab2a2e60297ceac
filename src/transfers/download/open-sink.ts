// The sink for a destination: a file path or a Writable.
import type { Writable } from 'node:stream';
import { InvalidArgumentError } from '../../errors.js';
import { checkWritableFile } from '../../util/local-files.js';
import { openFileSink, type FileSinkOptions } from './file-sink.js';
import type { Sink } from './sink.js';
import { StreamSink } from './stream-sink.js';
import type { DownloadDestination } from './types.js';

/** Prepares the destination, once checkDestination has passed; nothing has been requested yet. */
export async function openSink(destination: DownloadDestination, options: FileSinkOptions, signal: AbortSignal | undefined): Promise<Sink> {
  await checkDestination(destination, options);
  if (typeof destination === 'string') return openFileSink(destination, options);
  return new StreamSink(destination, signal);
}

/** What can be told of a destination before anything is requested, touching nothing. */
export async function checkDestination(destination: DownloadDestination, options: Pick<FileSinkOptions, 'overwrite' | 'resume'>): Promise<void> {
  if (typeof destination === 'string') return checkWritableFile(destination, options.overwrite, 'destination');
  if (!isWritable(destination)) throw new InvalidArgumentError('destination', 'must be a file path or a Writable stream');
  if (options.resume) throw new InvalidArgumentError('resume', 'needs a file path destination: what a stream was given cannot be taken back or gone on with');
  if (destination.writableEnded || destination.destroyed) throw new InvalidArgumentError('destination', 'is a stream that has already ended');
}

function isWritable(value: unknown): value is Writable {
  const candidate = value as Partial<Writable> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.write === 'function' && typeof candidate.on === 'function';
}
