// Several uploads at once: files in parallel up to a limit, the chunks of each file strictly in
// order (each file is one upload state machine).
import pLimit from 'p-limit';
import { InvalidArgumentError } from '../../errors.js';
import type { ServicePort } from '../../calls/port.js';
import type { UploadDestination } from './finalizer.js';
import type { UploadSource } from './source.js';
import { upload, type UploadOptions, type UploadResult } from './upload.js';

export interface UploadItem {
  source: UploadSource;
  destination: UploadDestination;
  options?: Omit<UploadOptions, 'signal'>;
}

export interface UploadManyOptions {
  /** Files uploaded at the same time (default 4). */
  concurrency?: number;
  /** Cancels every upload not yet finished. */
  signal?: AbortSignal;
}

/** One outcome per item, in the items' order: a failure does not stop the others. */
export async function uploadMany(
  port: ServicePort,
  items: readonly UploadItem[],
  options: UploadManyOptions = {},
): Promise<Array<PromiseSettledResult<UploadResult>>> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError('concurrency', 'must be a whole number ≥ 1');
  const limit = pLimit(concurrency);
  return Promise.allSettled(
    items.map((item) => limit(() => upload(port, item.source, item.destination, { ...item.options, signal: options.signal }))),
  );
}
