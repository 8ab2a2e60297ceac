/**
 * Failures of the data directory, as the service's .NET code meets them: an IOException. ENOSPC and EDQUOT read
 * as Windows words ERROR_DISK_FULL; the other errno codes keep node's message. Either way the operation did not
 * take effect (appends and finalizes are all or nothing), and the caller is told in the profile's way: an in-band
 * `SystemError: …` reply, or `classic-asmx`'s soap:Server fault.
 */

export const DISK_FULL_MESSAGE = 'There is not enough space on the disk.';

const DISK_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/** An I/O failure of the data directory; `code` is the errno code (ENOSPC, EIO, …). */
export class StorageError extends Error {
  readonly code: string;

  constructor(message: string, code: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

/** The disk is full: what a real ENOSPC becomes, and what the `diskFull` fault throws. */
export const diskFull = (cause?: unknown): StorageError => new StorageError(DISK_FULL_MESSAGE, 'ENOSPC', { cause });

/** A file another read still holds (Windows' sharing violation, which .NET throws as an IOException). */
export const fileBusy = (message: string): StorageError => new StorageError(message, 'EBUSY');

/** The errno code of an error from node:fs (duck-typed: it may come from another realm, such as a test runner's VM context). */
export function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A full disk as the service words it; any other error as it is. */
export function asStorageFailure(error: unknown): unknown {
  if (error instanceof StorageError) return error;
  const code = errnoCode(error);
  return code !== undefined && DISK_FULL_CODES.has(code) ? diskFull(error) : error;
}
