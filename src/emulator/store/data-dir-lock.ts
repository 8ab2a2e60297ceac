/**
 * One emulator per data directory. Two would each keep their own copy of store.json in memory and clear the other's
 * staged handlers, destroying each other's documents. The lock is `<dataDir>/emulator.lock`, created with O_EXCL and
 * holding the owner's pid; it is removed on close. A lock whose process is dead (a crash, a kill -9) is taken over.
 * The pid is checked on this machine only: a data directory shared between machines is not supported.
 */
import { link, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDirLockedError } from '../start-errors.js';

export const LOCK_FILE = 'emulator.lock';

export interface DataDirLock {
  release(): Promise<void>;
}

/** Data directories locked by emulators of this process: a lock holding this pid but not listed here is stale. */
const lockedHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderOf(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

const stale = (pid: number | undefined, dataDir: string): boolean =>
  pid !== undefined && (pid === process.pid ? !lockedHere.has(dataDir) : !isAlive(pid));

async function create(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Moves a stale lock out of the way. Renaming it to a name of our own succeeds for one taker only; if what was
 * moved turns out to be a live lock (another taker replaced the stale one in between), it is put back.
 */
async function takeOver(file: string, dataDir: string, expected: number): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await holderOf(aside);
  if (moved !== expected && !stale(moved, dataDir)) {
    await link(aside, file).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

/** Locks `dataDir` (which must exist) for this emulator, or throws DataDirLockedError. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  // One key however the directory is named (relative, absolute, through a symbolic link).
  const key = await realpath(dataDir);
  const file = join(key, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await create(file)) {
      lockedHere.add(key);
      return {
        release: async () => {
          lockedHere.delete(key);
          if ((await holderOf(file)) === process.pid) await rm(file, { force: true });
        },
      };
    }
    const holder = await holderOf(file);
    // A lock without a readable pid may be one another emulator is writing right now.
    if (!stale(holder, key)) throw new DataDirLockedError(dataDir, holder);
    await takeOver(file, key, holder ?? 0);
  }
  throw new DataDirLockedError(dataDir, await holderOf(file));
}
