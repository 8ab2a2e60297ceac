// Local paths, checked before anything is sent: a mistake in one is a usage error (exit 2), never
// a network call first and a raw ENOENT after.
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './exit-codes.js';

/** `-`: standard input or output instead of a file. */
export const STANDARD_STREAM = '-';

async function statOf(path: string): Promise<Stats | undefined> {
  return stat(path).catch(() => undefined);
}

/** A regular file to read; its size. */
export async function readableFile(path: string, what: string): Promise<number> {
  const found = await statOf(path);
  if (!found) throw new UsageError(`${what} ${path} does not exist`);
  if (!found.isFile()) throw new UsageError(`${what} ${path} is not a regular file`);
  return found.size;
}

export async function existingDirectory(path: string, what: string): Promise<void> {
  const found = await statOf(path);
  if (!found) throw new UsageError(`${what} ${path} does not exist`);
  if (!found.isDirectory()) throw new UsageError(`${what} ${path} is not a directory`);
}

/** A file to write: in an existing directory, and not there yet unless `force`. */
export async function writableFile(path: string, force: boolean): Promise<void> {
  const directory = dirname(resolve(path));
  if (!(await statOf(directory))?.isDirectory()) throw new UsageError(`<file> ${path}: ${directory} is not an existing directory`);
  const found = await statOf(path);
  if (found?.isDirectory()) throw new UsageError(`<file> ${path} is a directory`);
  if (found && !force) throw new UsageError(`<file> ${path} exists; use --force to replace it`);
}
