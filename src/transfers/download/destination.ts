// What can be told of a download's destination before anything is requested, in a module of its
// own: checkDownload needs it without the sinks' modules, which a process that only uploads never loads.
import type { Writable } from 'node:stream';
import { InvalidArgumentError } from '../../errors.js';
import { checkWritableFile } from '../../util/local-files.js';
import type { FileSinkOptions } from './file-sink.js';
import type { DownloadDestination } from './types.js';

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
