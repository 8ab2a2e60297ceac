// Several uploads at once: files in parallel up to a limit, the chunks of each file strictly in
// order (each file is one upload state machine), all of them within one rate limit when asked.
import pLimit from 'p-limit';
import type { ServicePort } from '../../calls/port.js';
import { settle } from '../../util/options.js';
import { bytePace } from '../../util/pace.js';
import type { UploadDestination } from './finalizer.js';
import type { UploadSource } from './source.js';
import { upload, type UploadOptions, type UploadResult } from './upload.js';
import { UPLOAD_MANY_OPTIONS, type UploadManyOptions } from './upload-many-options.js';

export interface UploadItem {
  source: UploadSource;
  destination: UploadDestination;
  options?: Omit<UploadOptions, 'signal'>;
}

export type { UploadManyOptions } from './upload-many-options.js';

/** One outcome per item, in the items' order: a failure does not stop the others. */
export async function uploadMany(
  port: ServicePort,
  items: readonly UploadItem[],
  options: UploadManyOptions = {},
): Promise<Array<PromiseSettledResult<UploadResult>>> {
  const { concurrency, rateLimit } = settle(UPLOAD_MANY_OPTIONS, options);
  const limit = pLimit(concurrency);
  // One pace for all: the uploads share the rate, however many run at once.
  const shared = bytePace(rateLimit);
  return Promise.allSettled(
    items.map((item) => limit(() => upload(port, item.source, item.destination, { ...item.options, signal: options.signal }, shared))),
  );
}
