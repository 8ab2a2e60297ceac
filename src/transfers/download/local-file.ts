// The files a download keeps beside its destination are opened without following links and
// created exclusively; one found there is used, or removed, only when it is a regular file of this
// user with no other name. A link planted in its place must never make the client read or write
// outside the destination's directory (docs/protocol.md#resume-across-runs).
import { constants, lstatSync, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { LocalFileError } from '../../errors.js';

/** 0 where the platform has no O_NOFOLLOW (Windows, where a plain file cannot be a link anyway). */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
/** Creates the file, or fails: never opens one that is there, nor follows a link there. */
export const CREATE_EXCLUSIVE = constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;

/** What names one file: the same device and inode. */
export type FileIdentity = Pick<Stats, 'dev' | 'ino'>;

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** The file at `path`, undefined when there is none; anything but a regular file of ours is refused. */
export async function ownFileAt(path: string): Promise<Stats | undefined> {
  const stats = await lstat(path).catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (stats) checkOwn(path, stats);
  return stats;
}

/** Opens an existing file of ours without following a link; `expected`, when given, is the file it must still be. */
export async function openOwn(path: string, flags: number, expected?: FileIdentity): Promise<FileHandle> {
  const file = await open(path, flags | NO_FOLLOW).catch((error: unknown) => {
    throw linkRefused(path, error);
  });
  try {
    const stats = await file.stat();
    checkOwn(path, stats);
    if (expected && !sameFile(stats, expected)) throw notOurs(path, 'a file that replaced the one found there a moment before');
    return file;
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** A new file at `path`, for reading and writing; it fails if anything is there. */
export function createOwn(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDWR | CREATE_EXCLUSIVE);
}

/** Whether `path` names the file `identity`, without following a link. */
export function names(path: string, identity: FileIdentity): boolean {
  try {
    return sameFile(lstatSync(path), identity);
  } catch {
    return false;
  }
}

/** Refuses what this download did not make: a link, a directory, another user's file, or one with another name. */
export function checkOwn(path: string, stats: Stats): void {
  const uid = process.getuid?.();
  if (stats.isSymbolicLink()) throw notOurs(path, 'a symbolic link');
  if (!stats.isFile()) throw notOurs(path, stats.isDirectory() ? 'a directory' : 'not a regular file');
  if (uid !== undefined && stats.uid !== uid) throw notOurs(path, `a file of another user (uid ${stats.uid})`);
  if (stats.nlink !== 1) throw notOurs(path, `a file with ${stats.nlink - 1} other name(s), a hard link`);
}

/** What opening `path` without following a link failed with, a link there told as refused. */
export function linkRefused(path: string, error: unknown): unknown {
  return codeOf(error) === 'ELOOP' ? notOurs(path, 'a symbolic link') : error;
}

function notOurs(path: string, what: string): LocalFileError {
  return new LocalFileError(`download: ${path} is ${what}, not a file a download made there; it is left as it is: remove it if nothing needs it`, path, undefined, { operation: 'download' });
}

/** A file-system failure, told in terms of the destination the user named, never the hidden temporary file. */
export function localFailure(target: string, what: string, error: unknown): LocalFileError {
  const code = codeOf(error) || undefined;
  const reason = ((error as Error | undefined)?.message ?? String(error)).replace(/,\s*\w+(\s+'[^']*')*$/, '');
  return new LocalFileError(`download: ${target} ${what}: ${reason}`, target, code, { operation: 'download', cause: error });
}

export function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? '';
}
