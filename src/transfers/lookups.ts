// Lookups through the port: does a document exist (and with which CRC-32s), does a folder, and make
// sure one does.
import { AbortError, NotFoundError } from '../errors.js';
import { crcAttribute, crcToHex } from '../integrity/crc32.js';
import type { CallOptions } from '../soap/client.js';
import type { ServicePort } from '../calls/port.js';
import { remotePath } from './transfer.js';

export type LookupOptions = Pick<CallOptions, 'signal' | 'timeoutMs' | 'idleTimeoutMs'>;

/** CRC-32s as everywhere in the public API: 8 lower-case hex digits. */
export interface DocumentInfo {
  /** The CRC-32 of the latest version; undefined when the server does not report it. */
  crc32LastVersion: string | undefined;
  /** The CRC-32 of the published version; undefined when none is published. */
  crc32Published: string | undefined;
}

/** DocumentExists: the document's CRC-32s, or undefined when it (or its folder) does not exist. */
export async function documentExists(port: ServicePort, path: string, options: LookupOptions = {}): Promise<DocumentInfo | undefined> {
  const Path = remotePath(path, 'path', 'a non-empty path');
  try {
    const reply = await port.call('DocumentExists', { Path }, options);
    return {
      crc32LastVersion: hexOf(crcAttribute('DocumentExists', 'CRC32LASTVERSION', reply.CRC32LASTVERSION)),
      crc32Published: hexOf(crcAttribute('DocumentExists', 'CRC32', reply.CRC32)),
    };
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** FolderExists: a missing folder is answered without `success`, which the client reads as NotFoundError. */
export async function folderExists(port: ServicePort, path: string, options: LookupOptions = {}): Promise<boolean> {
  const Path = remotePath(path, 'path', 'a non-empty path');
  try {
    await port.call('FolderExists', { Path }, options);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/**
 * Creates the folder (and missing intermediate ones) unless it exists. A failed CreateFolder is
 * checked once more, since "already exists" is undocumented and another client may have won the race.
 */
export async function ensureFolder(port: ServicePort, path: string, options: LookupOptions = {}): Promise<void> {
  if (await folderExists(port, path, options)) return;
  try {
    await port.call('CreateFolder', { Path: path }, options);
  } catch (error) {
    if (error instanceof AbortError) throw error;
    if (await folderExists(port, path, options).catch(() => false)) return;
    throw error;
  }
}

function hexOf(crc: number | undefined): string | undefined {
  return crc === undefined ? undefined : crcToHex(crc);
}
