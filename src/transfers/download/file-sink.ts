// A file destination: bytes go to a temporary file beside it, which replaces the destination only
// once the download is verified. A failed or cancelled download leaves the destination as it was.
// A small state file beside the temporary one names the process writing it, so that what a killed
// run left is recognised and removed by the next, or, with `resume`, gone on with (resume-state.ts).
import { link, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, LocalFileError } from '../../errors.js';
import { crc32 } from '../../integrity/crc32.js';
import { alreadyExists, statOf } from '../../util/local-files.js';
import { removeOnExit } from '../../util/exit-cleanup.js';
import type { StoredRange } from './ledger.js';
import { mayBeRunning, readState, thisProcess, writeState, type ResumeState } from './resume-state.js';
import type { Resumable, Sink } from './sink.js';

/** Keeps `.{name}.srv-asmx.part.json` within the usual 255-byte limit of a file name, counted in UTF-8 bytes. */
const MAX_NAME_BYTES_IN_TEMP = 200;
/** How much of a kept range is read back at a time to check its CRC-32. */
const VERIFY_PIECE_BYTES = 8 * 1_048_576;
/** link() fails this way on file systems without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export interface FileSinkOptions {
  readonly overwrite: boolean;
  /** Keep the temporary file of a download that fails, and go on with one an earlier run left. */
  readonly resume: boolean;
  /** Told what became of an earlier run's temporary file, and of state that could not be saved. */
  readonly notice: (message: string) => void;
}

/** `destination` has passed checkWritableFile. */
export async function openFileSink(destination: string, options: FileSinkOptions): Promise<Sink> {
  const target = resolve(destination);
  const temp = join(dirname(target), `.${truncateUtf8(basename(target), MAX_NAME_BYTES_IN_TEMP)}.srv-asmx.part`);
  const statePath = `${temp}.json`;
  const earlier = await readState(statePath);
  if (earlier && mayBeRunning(earlier.owner)) {
    const { pid, host } = earlier.owner as { pid: number; host: string };
    throw new InvalidArgumentError('destination', `is being downloaded by another process (${pid} on ${host}); if that is not so, remove ${statePath}`);
  }
  const kept = options.resume && earlier?.staged ? await open(temp, 'r+').catch(() => undefined) : undefined;
  if (!kept) await removeLeftovers(temp, statePath, earlier !== undefined && options.resume === false ? options.notice : undefined, target);
  const file = kept ?? (await open(temp, 'wx').catch((error: unknown) => {
    throw localFailure(target, 'cannot be written', error);
  }));
  const state: ResumeState = { staged: kept ? earlier?.staged : undefined, ranges: kept ? (earlier?.ranges ?? []) : [], owner: thisProcess() };
  const sink = new FileSink(target, temp, file, options, new StateFile(statePath, state, options.notice), kept ? earlier : undefined);
  await sink.claim();
  return sink;
}

/** An earlier run's files, which cannot or may not be gone on with: the state first, so that no state ever outlives its file. */
async function removeLeftovers(temp: string, statePath: string, notice: ((message: string) => void) | undefined, target: string): Promise<void> {
  await rm(statePath, { force: true });
  await rm(temp, { force: true });
  notice?.(`removed what an earlier, interrupted download to ${target} left (resume would have gone on with it)`);
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
  readonly resumable: Resumable | undefined;
  #open = true;
  /** Without resume nothing of an unfinished download may outlive the process, even one that exits at once. */
  readonly #forgetAtExit: () => void;

  constructor(
    private readonly target: string,
    private readonly temp: string,
    private readonly file: FileHandle,
    private readonly options: FileSinkOptions,
    private readonly state: StateFile,
    earlier: ResumeState | undefined,
  ) {
    this.resumable = options.resume
      ? { earlier, verified: (ranges) => this.verified(ranges), save: (staged, ranges) => state.save({ staged, ranges, owner: thisProcess() }) }
      : undefined;
    this.#forgetAtExit = options.resume ? () => undefined : removeOnExit(temp, ...state.paths);
  }

  /** Says which process writes the download, before anything is requested. */
  async claim(): Promise<void> {
    try {
      this.state.flush();
    } catch (error) {
      await this.discard();
      throw localFailure(this.target, 'cannot be written', error);
    }
  }

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
    this.state.save({ staged: undefined, ranges: [], owner: thisProcess() });
    await this.file.truncate(0);
  };

  async commit(): Promise<void> {
    try {
      await this.file.sync();
      await this.close();
      if (this.options.overwrite) await rename(this.temp, this.target);
      else await placeWithoutReplacing(this.temp, this.target);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      throw localFailure(this.target, 'could not be put in place', error);
    }
    await this.state.remove();
    this.#forgetAtExit();
  }

  /** Leaves nothing behind; with resume, what has been verified stays for the next run, released by this process. */
  async discard(): Promise<void> {
    try {
      await this.close();
    } finally {
      const keep = this.resumable !== undefined && this.state.current.ranges.length > 0;
      if (keep) this.state.release();
      else {
        await this.state.remove();
        await rm(this.temp, { force: true });
      }
      this.#forgetAtExit();
    }
  }

  /** The ranges whose bytes are still in the temporary file, as their CRC-32s prove. */
  private async verified(ranges: readonly StoredRange[]): Promise<StoredRange[]> {
    const good: StoredRange[] = [];
    const buffer = Buffer.allocUnsafe(Math.min(VERIFY_PIECE_BYTES, Math.max(0, ...ranges.map((range) => range.length))));
    for (const range of ranges) if ((await this.crcOf(range, buffer)) === range.crc) good.push(range);
    return good;
  }

  /** The CRC-32 of a range of the temporary file, read a piece at a time; undefined where the file is shorter. */
  private async crcOf({ offset, length }: StoredRange, buffer: Buffer): Promise<number | undefined> {
    let crc = 0;
    for (let at = 0; at < length; ) {
      const { bytesRead } = await this.file.read(buffer, 0, Math.min(buffer.length, length - at), offset + at);
      if (bytesRead === 0) return undefined;
      crc = crc32(buffer.subarray(0, bytesRead), crc);
      at += bytesRead;
    }
    return crc;
  }

  private async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.file.close();
  }
}

/** The state file of one download, written as each chunk is stored. */
class StateFile {
  #failed = false;

  constructor(
    private readonly path: string,
    public current: ResumeState,
    private readonly notice: (message: string) => void,
  ) {}

  /** Writes the state as it is now, and fails if it cannot. */
  flush(): void {
    writeState(this.path, this.current);
  }

  save(state: ResumeState): void {
    this.current = state;
    try {
      this.flush();
    } catch (error) {
      this.failed(error);
    }
  }

  /** The process lets go of the download: the next run may go on with it. */
  release(): void {
    this.save({ ...this.current, owner: undefined });
  }

  /** The state file, and the new state on its way to replace it. */
  get paths(): string[] {
    return [this.path, `${this.path}.new`];
  }

  async remove(): Promise<void> {
    for (const path of this.paths) await rm(path, { force: true });
  }

  /** A state that could not be saved only means less to resume: what it says is still true of the file. */
  private failed(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.notice(`could not save the state of the download for a later resume: ${(error as Error).message}`);
  }
}

/** A hard link cannot replace a file that appeared at the destination during the download. */
async function placeWithoutReplacing(temp: string, target: string): Promise<void> {
  try {
    await link(temp, target);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST') throw alreadyExists(target, 'destination');
    if (!NO_HARD_LINKS.has(code)) throw error;
    if (await statOf(target)) throw alreadyExists(target, 'destination');
    return rename(temp, target);
  }
  await unlink(temp);
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? '';
}
