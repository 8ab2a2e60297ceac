// Lookups over a session: does a document exist (and with which CRC-32s), does a folder, and make
// sure one does (contract §7.1, §7.3, §7.4).
import { AbortError, InvalidArgumentError, malformedReply, NotFoundError } from '../errors.js';
import { parseHexCrc } from '../integrity/crc32.js';
import type { CallOptions } from '../soap/client.js';
import { checkXmlText } from '../soap/values.js';
import type { SrvSession } from '../session/session.js';

export type LookupOptions = Pick<CallOptions, 'signal' | 'timeoutMs' | 'idleTimeoutMs'>;

export interface DocumentInfo {
  /** The CRC-32 of the latest version; undefined when the server does not report it. */
  crc32LastVersion: number | undefined;
  /** The CRC-32 of the published version; undefined when none is published. */
  crc32Published: number | undefined;
}

/** DocumentExists: the document's CRC-32s, or undefined when it (or its folder) does not exist. */
export async function documentExists(session: SrvSession, path: string, options: LookupOptions = {}): Promise<DocumentInfo | undefined> {
  const Path = checkedPath(path);
  try {
    const reply = await session.call('DocumentExists', { Path }, options);
    return {
      crc32LastVersion: checksum(reply.CRC32LASTVERSION, 'CRC32LASTVERSION'),
      crc32Published: checksum(reply.CRC32, 'CRC32'),
    };
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** FolderExists: a missing folder is answered without `success`, which the client reads as NotFoundError. */
export async function folderExists(session: SrvSession, path: string, options: LookupOptions = {}): Promise<boolean> {
  const Path = checkedPath(path);
  try {
    await session.call('FolderExists', { Path }, options);
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
export async function ensureFolder(session: SrvSession, path: string, options: LookupOptions = {}): Promise<void> {
  if (await folderExists(session, path, options)) return;
  try {
    await session.call('CreateFolder', { Path: path }, options);
  } catch (error) {
    if (error instanceof AbortError) throw error;
    if (await folderExists(session, path, options).catch(() => false)) return;
    throw error;
  }
}

function checkedPath(path: unknown): string {
  if (typeof path !== 'string' || path.trim() === '') throw new InvalidArgumentError('path', 'must be a non-empty path');
  checkXmlText(path, 'path');
  return path;
}

/** An absent or empty CRC is unknown; one that is there must be hex. */
function checksum(text: string | undefined, attribute: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const crc = parseHexCrc(text);
  if (crc === undefined) {
    throw malformedReply('DocumentExists', `${attribute} "${text}" is not hex`);
  }
  return crc;
}
