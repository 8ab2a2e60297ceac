// What of a download can be told before anything is requested, for a caller that wants to know
// before it logs in (the CLI). download() makes the same checks, with the same functions.
import { checkDestination } from './destination.js';
import { planDownload } from './plan.js';
import type { DownloadDestination, DownloadOptions, DownloadSource } from './types.js';

/**
 * Checks the source, each option against DOWNLOAD_OPTIONS, and the destination: a file path in an
 * existing directory and not there yet unless `overwrite`, or a stream without `resume`. Throws
 * InvalidArgumentError naming the argument (with `localPath` for the file); touches nothing.
 */
export async function checkDownload(source: DownloadSource, destination: DownloadDestination, options: DownloadOptions = {}): Promise<void> {
  await checkDestination(destination, planDownload(source, options));
}
