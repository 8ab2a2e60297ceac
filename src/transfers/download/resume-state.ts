// The small file beside an unfinished download that lets a later run go on with it: which document
// and version it is (as the request named it and as the server's grant described it: size, CRC-32,
// VersionNumber, ModificationDate), the chunk size, and the ranges verified so far with their
// CRC-32s (the unbroken run from byte 0 as one). No ticket, handler or credential is ever in it. A
// file that does not parse as this is no state at all: the download starts over. It is read
// without following a link, and written to a new file, created exclusively, that then replaces it.
import { closeSync, constants, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { crcToHex, parseHexCrc } from '../../integrity/crc32.js';
import type { StoredRange } from './ledger.js';
import { codeOf, CREATE_EXCLUSIVE, openOwn } from './local-file.js';

const FORMAT = 'srv-asmx-download/1';

/** What the staged file was: a later handler must be granted for the same request and say the same of its file for the ranges to count. */
export interface StagedIdentity {
  readonly path: string;
  /** The version asked for (GetDownloadHandlerByVersion); undefined for the latest. */
  readonly requestedVersion: number | undefined;
  readonly size: number;
  readonly crc32: number;
  /** The grant's VersionNumber and ModificationDate; undefined where it gave none. */
  readonly versionNumber: number | undefined;
  readonly modificationDate: string | undefined;
  readonly chunkSize: number;
}

export interface ResumeState {
  /** Undefined before a handler of the run has staged a file with a whole-file CRC-32. */
  readonly staged: StagedIdentity | undefined;
  readonly ranges: readonly StoredRange[];
}

/** Where the next state is written before it replaces the state at `path`. */
export const pendingPath = (path: string): string => `${path}.new`;

/** The state at `path`, or undefined when there is none or it is not one; a file there that is not ours is refused (LocalFileError). */
export async function readState(path: string): Promise<ResumeState | undefined> {
  let text: string;
  try {
    const file = await openOwn(path, constants.O_RDONLY);
    try {
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return stateOf(JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * Writes the whole state to a new file that then replaces the old, so that a reader never sees half
 * of one. Synchronously: it is a few hundred bytes, written after each chunk, and a write queued
 * behind the chunks' own in the thread pool would leave a killed run's state chunks behind.
 */
export function writeState(path: string, state: ResumeState): void {
  const { staged, ranges } = state;
  const json = {
    format: FORMAT,
    ...(staged && { staged: { ...staged, crc32: crcToHex(staged.crc32) } }),
    ranges: ranges.map(({ offset, length, crc }) => [offset, length, crcToHex(crc)]),
  };
  const pending = pendingPath(path);
  const fd = openSync(pending, constants.O_WRONLY | CREATE_EXCLUSIVE, 0o600);
  try {
    try {
      writeSync(fd, `${JSON.stringify(json)}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(pending, path);
  } catch (error) {
    rmSync(pending, { force: true });
    throw error;
  }
}

function stateOf(json: unknown): ResumeState | undefined {
  const value = json as { format?: unknown; staged?: Record<string, unknown>; ranges?: unknown } | null;
  if (value?.format !== FORMAT || !Array.isArray(value.ranges)) return undefined;
  const staged = value.staged && stagedOf(value.staged);
  const ranges = value.ranges.map(rangeOf);
  if ((value.staged && !staged) || ranges.some((range) => range === undefined)) return undefined;
  return { staged, ranges: ranges as StoredRange[] };
}

function stagedOf(value: Record<string, unknown>): StagedIdentity | undefined {
  const { path, requestedVersion, size, crc32, versionNumber, modificationDate, chunkSize } = value;
  const crc = typeof crc32 === 'string' ? parseHexCrc(crc32) : undefined;
  if (typeof path !== 'string' || !isCount(size) || !isCount(chunkSize) || crc === undefined) return undefined;
  if (!isOptional(requestedVersion, isCount) || !isOptional(versionNumber, isCount) || !isOptional(modificationDate, isText)) return undefined;
  return { path, requestedVersion, size, crc32: crc, versionNumber, modificationDate, chunkSize };
}

function rangeOf(value: unknown): StoredRange | undefined {
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [offset, length, crc] = value as unknown[];
  const checksum = typeof crc === 'string' ? parseHexCrc(crc) : undefined;
  return isCount(offset) && isCount(length) && checksum !== undefined ? { offset, length, crc: checksum } : undefined;
}

function isOptional<T>(value: unknown, is: (value: unknown) => value is T): value is T | undefined {
  return value === undefined || is(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isText(value: unknown): value is string {
  return typeof value === 'string';
}
