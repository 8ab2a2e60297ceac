// Local paths the command line alone takes, checked before anything is sent: a mistake in one is
// a usage error (exit 2), never a network call first and a raw ENOENT after. The files an upload
// reads and a download writes are the library's to check (checkUpload, checkDownload).
import { stat } from 'node:fs/promises';
import { UsageError } from './exit-codes.js';

/** `-`: standard input or output instead of a file. */
export const STANDARD_STREAM = '-';

export async function existingDirectory(path: string, what: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (!found) throw new UsageError(`${what} ${path} does not exist`);
  if (!found.isDirectory()) throw new UsageError(`${what} ${path} is not a directory`);
}
