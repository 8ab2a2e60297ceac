// The sink for a destination: a file path or a Writable.
import { checkDestination } from './destination.js';
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
