// Deleting a document or one of its versions, and locking (checking out) and unlocking one. Each
// is one call whose success reply is its proof; a failure is the service's, typed as every
// in-band error is (NotFoundError, CheckedOutError, AccessDeniedError, …).
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import type { ServicePort } from '../../calls/port.js';
import { remotePath } from '../transfer.js';
import type { LookupOptions } from '../lookups.js';
import { versionNumberOf } from './version-number.js';

const DOCUMENT = 'a non-empty full path';

export interface DeleteOptions extends LookupOptions {
  /** A version's Number as `versions` lists it: only that version is deleted, for good. Without it the document goes to the recycle bin. */
  version?: number;
}

export interface UnlockOptions extends LookupOptions {
  /** Also releases another user's lock (an administrator's right; their changes in progress are lost). */
  force?: boolean;
}

/** DeleteDocument (to the recycle bin), or DeleteDocumentVersion (for good) when a version is named. */
export async function deleteDocument(port: ServicePort, path: string, options: DeleteOptions = {}): Promise<void> {
  const { version, ...call } = options;
  if (version === undefined) {
    await port.call('DeleteDocument', { Path: remotePath(path, 'path', DOCUMENT) }, call);
    return;
  }
  const DocumentPath = remotePath(path, 'path', DOCUMENT);
  await port.call('DeleteDocumentVersion', { DocumentPath, VersionNumber: versionNumberOf('version', version, false) }, call);
}

/** Lock: checks the document out to the session's user, so that others cannot store versions of it. */
export async function lockDocument(port: ServicePort, path: string, options: LookupOptions = {}): Promise<void> {
  await port.call('Lock', { Path: remotePath(path, 'path', DOCUMENT) }, options);
}

/** UnLock: releases the session's user's lock; another user's only with `force`. */
export async function unlockDocument(port: ServicePort, path: string, options: UnlockOptions = {}): Promise<void> {
  const { force = false, ...call } = options;
  if (typeof force !== 'boolean') throw new InvalidArgumentError('force', 'must be true or false');
  await port.call('UnLock', { path: remotePath(path, 'path', DOCUMENT), force }, call);
}

/**
 * Runs `work` with the document locked to the session's user, and unlocks it afterwards, whatever
 * the outcome. A document that is not there yet has nothing to lock, and `work` runs as it is. An
 * unlock that fails does not change `work`'s outcome: it is a warning naming the document.
 */
export async function whileLocked<T>(port: ServicePort, path: string, options: LookupOptions, work: () => Promise<T>): Promise<T> {
  try {
    await lockDocument(port, path, options);
  } catch (error) {
    if (error instanceof NotFoundError) return work();
    throw error;
  }
  try {
    return await work();
  } finally {
    await unlockDocument(port, path, { timeoutMs: options.timeoutMs }).catch((error: unknown) =>
      port.warn({ kind: 'cleanup', message: `${path} could not be unlocked; it stays checked out to this user`, operation: 'UnLock', error }),
    );
  }
}
