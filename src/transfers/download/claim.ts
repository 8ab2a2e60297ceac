// One download at a time to a destination: a lock file beside it, created exclusively and naming
// its process, is taken before anything there is removed or staged, and let go at the end. A lock
// whose process is gone (a killed run) is taken over: moved aside under a name of this run's own,
// and removed only if what was moved is the very lock found stale, so that two runs taking it over
// at once cannot both win. It is all synchronous: two downloads of one process cannot interleave.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, constants, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { InvalidArgumentError, SrvError } from '../../errors.js';
import { atExit } from '../../util/exit-cleanup.js';
import { checkOwn, codeOf, CREATE_EXCLUSIVE, linkRefused, localFailure, names, NO_FOLLOW, type FileIdentity } from './local-file.js';

/** Tries at taking a lock that keeps being taken over under this run. */
const TRIES = 3;
/** A lock still empty this long after it was made is one whose run died making it; a younger one is a run starting. */
const STARTING_MS = 5_000;

export interface Owner {
  readonly pid: number;
  readonly host: string;
}

export class Claim {
  #held = true;
  /** A process that exits at once (a second Ctrl-C) still lets the destination go. */
  readonly #forgetAtExit = atExit(() => this.release());

  private constructor(
    private readonly path: string,
    private readonly identity: FileIdentity,
  ) {}

  /** The lock at `path` for the download to `target`; a live owner is refused, a dead one's lock taken over. */
  static take(path: string, target: string): Claim {
    try {
      return new Claim(path, lock(path));
    } catch (error) {
      throw error instanceof SrvError ? error : localFailure(target, 'cannot be written', error);
    }
  }

  /** Whether the lock at the path is still this run's. */
  holds(): boolean {
    return this.#held && names(this.path, this.identity);
  }

  /** Lets the destination go; a lock that is no longer this run's is left alone. */
  release(): void {
    if (this.holds()) unlinkSync(this.path);
    this.#held = false;
    this.#forgetAtExit();
  }
}

function lock(path: string): FileIdentity {
  for (let tries = 0; tries < TRIES; tries += 1) {
    const identity = create(path);
    if (identity) return identity;
    const found = readLock(path);
    if (!found) continue;
    if (found.live) throw busy(path, found.owner);
    takeOver(path, found);
  }
  throw busy(path, undefined);
}

/** A new lock naming this process, complete before anyone can read it but for an instant; undefined when there is one. */
function create(path: string): Stats | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | CREATE_EXCLUSIVE, 0o600);
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return undefined;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
    return fstatSync(fd);
  } catch (error) {
    unlinkSync(path);
    throw error;
  } finally {
    closeSync(fd);
  }
}

interface FoundLock {
  readonly stats: Stats;
  readonly owner: Owner | undefined;
  readonly live: boolean;
}

/** The lock there, read without following a link; undefined when it went meanwhile. */
function readLock(path: string): FoundLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw linkRefused(path, error);
  }
  try {
    const stats = fstatSync(fd);
    checkOwn(path, stats);
    const owner = ownerOf(readFileSync(fd, 'utf8'));
    const live = owner ? mayBeRunning(owner) : Date.now() - stats.mtimeMs < STARTING_MS;
    return { stats, owner, live };
  } finally {
    closeSync(fd);
  }
}

function ownerOf(text: string): Owner | undefined {
  try {
    const { pid, host } = JSON.parse(text) as Partial<Record<keyof Owner, unknown>>;
    return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 && typeof host === 'string' ? { pid, host } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the owner may still be writing: a live process of this host, or any of another host, which cannot be told. */
function mayBeRunning(owner: Owner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

/**
 * Removes the stale lock `stale`. If another run replaced it in the meantime, what was moved aside
 * is that run's live lock: it is put back, and the next try finds it. A lock is the stale one only
 * if it is the same file and names the same owner: a file system may give a new lock the inode
 * number the stale one had.
 */
function takeOver(path: string, stale: FoundLock): void {
  const aside = `${path}.${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if (!names(aside, stale.stats) || !sameOwner(ownerOf(readFileSync(aside, 'utf8')), stale.owner)) linkSync(aside, path);
  } catch {
    // Another lock is there already: the run whose lock was moved finds it is no longer its own.
  } finally {
    unlinkSync(aside);
  }
}

function sameOwner(a: Owner | undefined, b: Owner | undefined): boolean {
  return a?.pid === b?.pid && a?.host === b?.host;
}

function busy(path: string, owner: Owner | undefined): InvalidArgumentError {
  const who = owner ? `another process (${owner.pid} on ${owner.host})` : 'another process, which is starting';
  return new InvalidArgumentError('destination', `is being downloaded by ${who}; if that is not so, remove ${path}`);
}
