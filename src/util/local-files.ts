// Local file arguments, checked before anything is sent: a file to read must be a regular file, a
// file to write must be in an existing directory and not there yet unless it may be replaced.
// The transfers check their paths here, and so can a caller (the CLI) before it logs in.
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type LocalPathProblem } from '../errors.js';

/** A regular file that can be read, checked without opening it: open() would wait forever for the writer of a FIFO. */
export async function checkReadableFile(path: string, argument: string): Promise<void> {
  nonEmpty(path, argument);
  let found: Stats | undefined;
  try {
    found = await statOf(path);
  } catch (error) {
    throw localPathError(argument, path, 'unreadable', `cannot be read: ${(error as Error).message}`);
  }
  if (!found) throw localPathError(argument, path, 'missing', `cannot be read: ${path} does not exist`);
  if (!found.isFile()) throw localPathError(argument, path, 'not-a-file', `is not a regular file: ${path}`);
}

/** A file to write: in an existing directory, not a directory, and not there yet unless `overwrite`. */
export async function checkWritableFile(path: string, overwrite: boolean, argument: string): Promise<void> {
  nonEmpty(path, argument);
  const target = resolve(path);
  const directory = dirname(target);
  if (!(await statOf(directory))?.isDirectory()) throw localPathError(argument, path, 'no-directory', `is in ${directory}, which is not an existing directory`);
  const existing = await statOf(target);
  if (existing?.isDirectory()) throw localPathError(argument, path, 'directory', `is a directory: ${target}`);
  if (existing && !overwrite) throw alreadyExists(path, argument);
}

/** A file to write is there, and may not be replaced. */
export function alreadyExists(path: string, argument: string): InvalidArgumentError {
  return localPathError(argument, path, 'exists', `already exists: ${resolve(path)} (pass overwrite: true to replace it)`);
}

/** What is at `path`, or undefined when nothing is. */
export async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function localPathError(argument: string, path: string, problem: LocalPathProblem, words: string): InvalidArgumentError {
  return new InvalidArgumentError(argument, words, undefined, { path, problem });
}

function nonEmpty(path: string, argument: string): void {
  if (typeof path !== 'string' || path.trim() === '') throw new InvalidArgumentError(argument, 'must be a non-empty file path');
}
