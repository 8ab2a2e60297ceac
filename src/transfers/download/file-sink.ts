// A file destination: bytes go to a temporary file beside it, which replaces the destination only
// once the download is verified, and only if it is still the very file written and verified, in
// the directory the download began in. A failed or cancelled download leaves the destination as it
// was. One download at a time holds the destination (claim.ts), before anything of an earlier run
// is removed or gone on with; a state file beside the temporary one records what is verified as
// each chunk is stored (resume-state.ts), so that `resume` goes on after any interruption.
import { constants, statSync, type Stats } from 'node:fs';
import { link, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, LocalFileError, SrvError } from '../../errors.js';
import { crc32 } from '../../integrity/crc32.js';
import { alreadyExists, checkWritableFile, statOf } from '../../util/local-files.js';
import { removeOnExit } from '../../util/exit-cleanup.js';
import { Claim } from './claim.js';
import type { StoredRange } from './ledger.js';
import { codeOf, createOwn, localFailure, names, openOwn, ownFileAt, sameFile, type FileIdentity } from './local-file.js';
import { pendingPath, readState, writeState, type ResumeState } from './resume-state.js';
import type { Resumable, Sink } from './sink.js';

/** Keeps `.{name}.srv-asmx.part.json.new` within the usual 255-byte limit of a file name, counted in UTF-8 bytes. */
const MAX_NAME_BYTES_IN_TEMP = 200;
/** How much of a kept range is read back at a time to check its CRC-32. */
const VERIFY_PIECE_BYTES = 8 * 1_048_576;
/** link() fails this way on file systems without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);
const NOTHING_VERIFIED: ResumeState = { staged: undefined, ranges: [] };

export interface FileSinkOptions {
  readonly overwrite: boolean;
  /** Keep the temporary file of a download that fails, and go on with one an earlier run left. */
  readonly resume: boolean;
  /** Told what became of an earlier run's temporary file, and of state that could not be saved. */
  readonly notice: (message: string) => void;
}

/** Where a download to `target` keeps its files, and the directory they are in as it was when the download began. */
interface Spot {
  readonly target: string;
  readonly directory: string;
  readonly directoryIdentity: FileIdentity;
  readonly temp: string;
  readonly state: string;
  readonly lock: string;
}

export async function openFileSink(destination: string, options: FileSinkOptions): Promise<Sink> {
  if (destination.trim() === '') throw new InvalidArgumentError('destination', 'must be a non-empty file path');
  const target = resolve(destination);
  const spot = spotOf(target, await checkDirectory(target));
  const claim = Claim.take(spot.lock, target);
  try {
    // Checked once the destination is this run's: a run that finished meanwhile is seen at once.
    await checkWritableFile(target, options.overwrite, 'destination');
    return await stage(spot, claim, options);
  } catch (error) {
    claim.release();
    throw error instanceof SrvError ? error : localFailure(target, 'cannot be written', error);
  }
}

function spotOf(target: string, directoryIdentity: FileIdentity): Spot {
  const directory = dirname(target);
  const temp = join(directory, `.${truncateUtf8(basename(target), MAX_NAME_BYTES_IN_TEMP)}.srv-asmx.part`);
  return { target, directory, directoryIdentity, temp, state: `${temp}.json`, lock: `${temp}.lock` };
}

/** Goes on with what an earlier run left, with resume and where it can, or removes it; then the temporary file is open. */
async function stage(spot: Spot, claim: Claim, options: FileSinkOptions): Promise<FileSink> {
  const part = await ownFileAt(spot.temp);
  const leftovers = [part, await ownFileAt(spot.state), await ownFileAt(pendingPath(spot.state))].some(Boolean);
  const earlier = await readState(spot.state);
  const kept = options.resume && earlier?.staged && part ? await openOwn(spot.temp, constants.O_RDWR, part) : undefined;
  if (!kept && leftovers) await removeLeftovers(spot, options.resume ? undefined : options.notice);
  await rm(pendingPath(spot.state), { force: true });
  const file = kept ?? (await createOwn(spot.temp));
  try {
    return new FileSink(spot, claim, file, await file.stat(), options, kept && earlier);
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** An earlier run's files, which cannot or may not be gone on with: the state first, so that no state ever outlives its file. */
async function removeLeftovers(spot: Spot, notice: ((message: string) => void) | undefined): Promise<void> {
  await rm(spot.state, { force: true });
  await rm(spot.temp, { force: true });
  notice?.(`removed what an earlier, interrupted download to ${spot.target} left (resume would have gone on with it)`);
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

class FileSink implements Sink {
  /** The bytes are in the file once write() resolves. */
  readonly retainsChunks = false;
  readonly inOrder = false;
  readonly resumable: Resumable;
  readonly #state: StateFile;
  #open = true;
  /** Without resume nothing of an unfinished download may outlive the process, even one that exits at once (a second Ctrl-C). */
  readonly #forgetAtExit: () => void;

  constructor(
    private readonly spot: Spot,
    private readonly claim: Claim,
    private readonly file: FileHandle,
    private readonly identity: FileIdentity,
    private readonly options: FileSinkOptions,
    earlier: ResumeState | undefined,
  ) {
    this.#state = new StateFile(spot.state, earlier ?? NOTHING_VERIFIED, options.notice, () => this.directoryUnchanged());
    this.resumable = { earlier, verified: (ranges) => this.verified(ranges), save: (staged, ranges) => this.#state.save({ staged, ranges }) };
    this.#forgetAtExit = options.resume ? () => undefined : removeOnExit(spot.temp, spot.state, pendingPath(spot.state));
  }

  async write(data: Buffer, offset: number): Promise<void> {
    try {
      for (let written = 0; written < data.length; ) {
        const { bytesWritten } = await this.file.write(data, written, data.length - written, offset + written);
        written += bytesWritten;
      }
    } catch (error) {
      throw localFailure(this.spot.target, 'could not be written', error);
    }
  }

  readonly rewind = async (): Promise<void> => {
    this.#state.save(NOTHING_VERIFIED);
    await this.file.truncate(0);
  };

  /** Cut to the document's size, so that nothing past its end ever reaches the destination, and put in place if it is still this download's. */
  async commit(size: number): Promise<void> {
    try {
      await this.file.truncate(size);
      await this.file.sync();
      this.checkStillOurs();
      await this.place();
    } catch (error) {
      throw error instanceof SrvError ? error : localFailure(this.spot.target, 'could not be put in place', error);
    }
    await this.close();
    await this.#state.remove();
    this.claim.release();
    this.#forgetAtExit();
  }

  /** Leaves nothing behind; with resume, what has been verified stays for the next run. */
  async discard(): Promise<void> {
    try {
      await this.close();
      await this.leave();
    } finally {
      this.claim.release();
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

  /** Removes this download's files, but those resume keeps; nothing in a directory that is no longer the one, nor a file that is no longer its own. */
  private async leave(): Promise<void> {
    if (!this.directoryUnchanged() || !this.claim.holds()) return;
    const ownTemp = names(this.spot.temp, this.identity);
    if (ownTemp && this.options.resume && this.#state.current.ranges.length > 0) return;
    await this.#state.remove();
    if (ownTemp) await unlink(this.spot.temp);
  }

  /** The rename or link replaces the destination with the file this download wrote, or it fails leaving nothing there. */
  private async place(): Promise<void> {
    const { temp, target } = this.spot;
    const linked = this.options.overwrite ? (await rename(temp, target), false) : await placeWithoutReplacing(temp, target);
    // Another file may have taken the temporary name in the instant since the check.
    if (!names(target, this.identity)) {
      await rm(target, { force: true });
      throw this.lost('the file it wrote and verified was replaced by another as it was put in place');
    }
    if (linked && names(temp, this.identity)) await unlink(temp);
  }

  private checkStillOurs(): void {
    if (!this.directoryUnchanged()) throw this.lost(`${this.spot.directory} is no longer the directory the download began in: it was moved or replaced`);
    if (!this.claim.holds()) throw this.lost('another process took the destination over');
    if (!names(this.spot.temp, this.identity)) throw this.lost('the file it wrote and verified was removed or replaced by another process');
  }

  private lost(why: string): LocalFileError {
    const { target } = this.spot;
    return new LocalFileError(`download: ${target} was not put in place: ${why}`, target, undefined, { operation: 'download' });
  }

  private directoryUnchanged(): boolean {
    try {
      return sameFile(statSync(this.spot.directory), this.spot.directoryIdentity);
    } catch {
      return false;
    }
  }

  private async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.file.close();
  }
}

/** The state file of one download, written as each chunk is stored, while the directory is the one it began in. */
class StateFile {
  #failed = false;

  constructor(
    private readonly path: string,
    public current: ResumeState,
    private readonly notice: (message: string) => void,
    private readonly inPlace: () => boolean,
  ) {}

  save(state: ResumeState): void {
    this.current = state;
    if (!this.inPlace()) return this.failed(new Error('the directory was moved or replaced'));
    try {
      writeState(this.path, state);
    } catch (error) {
      this.failed(error);
    }
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
    await rm(pendingPath(this.path), { force: true });
  }

  /** A state that could not be saved only means less to resume: what it says is still true of the file. */
  private failed(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.notice(`could not save the state of the download for a later resume: ${(error as Error).message}`);
  }
}

/** The directory the destination is in, which must exist, as it is now. */
async function checkDirectory(target: string): Promise<Stats> {
  await checkWritableFile(target, true, 'destination');
  return stat(dirname(target));
}

/** A hard link cannot replace a file that appeared at the destination during the download; true when it linked, the temporary name still there. */
async function placeWithoutReplacing(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target);
    return true;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST') throw alreadyExists(target, 'destination');
    if (!NO_HARD_LINKS.has(code)) throw error;
    if (await statOf(target)) throw alreadyExists(target, 'destination');
    await rename(temp, target);
    return false;
  }
}

