// A file destination: bytes go to a temporary file beside it, which replaces the destination only
// once the download is verified. A failed or cancelled download leaves the destination as it was.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, LocalFileError } from '../../errors.js';
import type { Sink } from './sink.js';

/** Keeps `.{name}.{random}.part` within the usual 255-byte limit of a file name, counted in UTF-8 bytes. */
const MAX_NAME_BYTES_IN_TEMP = 200;
/** link() fails this way on file systems without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export async function openFileSink(destination: string, overwrite: boolean): Promise<Sink> {
  if (destination.trim() === '') throw new InvalidArgumentError('destination', 'must be a non-empty file path');
  const target = resolve(destination);
  await checkTarget(target, overwrite);
  const temp = join(dirname(target), `.${truncateUtf8(basename(target), MAX_NAME_BYTES_IN_TEMP)}.${randomBytes(6).toString('hex')}.part`);
  const file = await open(temp, 'wx').catch((error: unknown) => {
    throw localFailure(target, 'cannot be written', error);
  });
  return new FileSink(target, temp, file, overwrite);
}

/** The longest start of `name` whose UTF-8 form fits in `bytes`, never cutting a character in two. */
function truncateUtf8(name: string, bytes: number): string {
  let end = 0;
  let used = 0;
  for (const character of name) {
    used += Buffer.byteLength(character);
    if (used > bytes) break;
    end += character.length;
  }
  return name.slice(0, end);
}

/** A file-system failure, told in terms of the destination the user named, never the hidden temporary file. */
function localFailure(target: string, what: string, error: unknown): LocalFileError {
  const code = codeOf(error) || undefined;
  const reason = ((error as Error | undefined)?.message ?? String(error)).replace(/,\s*\w+(\s+'[^']*')*$/, '');
  return new LocalFileError(`download: ${target} ${what}: ${reason}`, target, code, { operation: 'download', cause: error });
}

class FileSink implements Sink {
  /** The bytes are in the file once write() resolves. */
  readonly retainsChunks = false;
  readonly inOrder = false;
  #open = true;

  constructor(
    private readonly target: string,
    private readonly temp: string,
    private readonly file: FileHandle,
    private readonly overwrite: boolean,
  ) {}

  async write(data: Buffer, offset: number): Promise<void> {
    try {
      for (let written = 0; written < data.length; ) {
        const { bytesWritten } = await this.file.write(data, written, data.length - written, offset + written);
        written += bytesWritten;
      }
    } catch (error) {
      throw localFailure(this.target, 'could not be written', error);
    }
  }

  readonly rewind = async (): Promise<void> => {
    await this.file.truncate(0);
  };

  async commit(): Promise<void> {
    try {
      await this.file.sync();
      await this.close();
      if (this.overwrite) await rename(this.temp, this.target);
      else await placeWithoutReplacing(this.temp, this.target);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      throw localFailure(this.target, 'could not be put in place', error);
    }
  }

  async discard(): Promise<void> {
    try {
      await this.close();
    } finally {
      await rm(this.temp, { force: true });
    }
  }

  private async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.file.close();
  }
}

async function checkTarget(target: string, overwrite: boolean): Promise<void> {
  const directory = dirname(target);
  if (!(await statOf(directory))?.isDirectory()) throw new InvalidArgumentError('destination', `is in ${directory}, which is not an existing directory`);
  const existing = await statOf(target);
  if (existing?.isDirectory()) throw new InvalidArgumentError('destination', `is a directory: ${target}`);
  if (existing && !overwrite) throw alreadyExists(target);
}

/** A hard link cannot replace a file that appeared at the destination during the download. */
async function placeWithoutReplacing(temp: string, target: string): Promise<void> {
  try {
    await link(temp, target);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST') throw alreadyExists(target);
    if (!NO_HARD_LINKS.has(code)) throw error;
    if (await statOf(target)) throw alreadyExists(target);
    return rename(temp, target);
  }
  await unlink(temp);
}

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

function alreadyExists(target: string): InvalidArgumentError {
  return new InvalidArgumentError('destination', `already exists: ${target} (pass overwrite: true to replace it)`);
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? '';
}
