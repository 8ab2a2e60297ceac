// A small tmpfs mounted for a test, so that a data directory can really run out of space. It needs
// root (CI runs the tests as root). Where mounting is impossible, a local run warns loudly and the
// test is skipped; in CI (CI=true) that is a failure.
import { execFile } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Tmpfs {
  readonly dir: string;
  /** Bytes a new file can still take. */
  free(): number;
  unmount(): Promise<void>;
}

/** A tmpfs of `sizeBytes` at a fresh directory, or undefined (after a loud warning) where it cannot be mounted outside CI. */
export async function mountTmpfs(sizeBytes: number, purpose: string): Promise<Tmpfs | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'srv-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (process.env['CI'] === 'true') throw new Error(`cannot mount a tmpfs for ${purpose} (CI=true, so this fails rather than skips): ${why}`);
    console.warn(`SKIPPED ${purpose}: cannot mount a tmpfs (needs root): ${why}`);
    return undefined;
  }
  return {
    dir,
    free: () => {
      const stats = statfsSync(dir);
      return stats.bavail * stats.bsize;
    },
    unmount: async () => {
      await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
