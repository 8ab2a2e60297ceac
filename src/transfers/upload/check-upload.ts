// What of an upload can be told before anything is sent, for a caller that wants to know before
// it logs in (the CLI). upload() makes the same checks, with the same functions.
import { checkReadableFile } from '../../util/local-files.js';
import { finalizerFor, type UploadDestination } from './finalizer.js';
import type { UploadSource } from './source.js';
import { uploadOptions, type UploadOptions } from './upload-options.js';

/**
 * Checks the destination and metadata, each option against UPLOAD_OPTIONS, and that a file source
 * is a regular file; throws InvalidArgumentError naming the argument (with `localPath` for the file).
 */
export async function checkUpload(source: UploadSource, destination: UploadDestination, options: UploadOptions = {}): Promise<void> {
  finalizerFor(destination, options.metadata);
  uploadOptions(options);
  if (typeof source === 'string') await checkReadableFile(source, 'source');
}
