// Issue 11, case 5: two emulators on one data directory destroyed each other's documents (each
// keeps its own copy of store.json in memory, and clears the staging directory at start). The data
// directory is locked: a second emulator is refused with a clear error (in process, a typed
// DataDirLockedError; from the CLI, one line and exit code 1); a lock left by a process that died
// is taken over.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, EmulatorStartError, startEmulator } from '../../src/emulator/index.js';
import { runCli, startServe } from '../helpers/run-cli.js';
import { login, soap, uploadDocument } from './helpers.js';

const LOCK = 'emulator.lock';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'emulator-lock-test-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

it('a second startEmulator on the same data directory is refused with DataDirLockedError; the first goes on, and releases the lock on close', async () => {
  const dataDir = join(root, 'data');
  const first = await startEmulator({ dataDir });
  try {
    const error = await startEmulator({ dataDir }).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error).toBeInstanceOf(EmulatorStartError);
    expect((error as DataDirLockedError).code).toBe('DATA_DIR_LOCKED');
    expect((error as DataDirLockedError).pid).toBe(process.pid);
    expect((error as Error).message).toBe(`the data directory ${dataDir} is in use by another emulator (pid ${process.pid})`);
    const ticket = await login(first.url);
    await uploadDocument(first.url, ticket, '/Public/kept.txt', Buffer.from('kept'));
    expect((await soap(first.url, 'DocumentExists', [['authenticationTicket', ticket], ['Path', '/Public/kept.txt']])).result.attrs.success).toBe('true');
  } finally {
    await first.close();
  }
  expect(existsSync(join(dataDir, LOCK))).toBe(false);
  const next = await startEmulator({ dataDir });
  try {
    expect((await next.readDocument('/Public/kept.txt')).toString()).toBe('kept');
  } finally {
    await next.close();
  }
});

it('a lock whose process is dead is taken over', async () => {
  const dataDir = join(root, 'stale');
  const first = await startEmulator({ dataDir });
  await first.close();
  const pid = deadPid();
  await writeFile(join(dataDir, LOCK), `${pid}\n`);
  const taken = await startEmulator({ dataDir });
  try {
    expect((await readFile(join(dataDir, LOCK), 'utf8')).trim()).toBe(String(process.pid));
  } finally {
    await taken.close();
  }
});

it('srv-asmx serve: a second server on the same --data-dir exits 1 with one line; the first is untouched', async () => {
  const dataDir = join(root, 'cli');
  const first = await startServe(['--data-dir', dataDir]);
  try {
    const ticket = await login(first.url);
    await uploadDocument(first.url, ticket, '/Public/first.txt', Buffer.from('first'));
    const second = await runCli(['serve', '--data-dir', dataDir], { env: {} });
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(new RegExp(`^srv-asmx serve: the data directory ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another emulator \\(pid \\d+\\)\\n$`));
    expect((await soap(first.url, 'DocumentExists', [['authenticationTicket', ticket], ['Path', '/Public/first.txt']])).result.attrs.success).toBe('true');
  } finally {
    expect((await first.stop()).code).toBe(0);
  }
  expect(existsSync(join(dataDir, LOCK))).toBe(false);
});
