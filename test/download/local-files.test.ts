// Failures of the local file system at a download's destination are LocalFileError, told in terms
// of the destination the user named; a long non-ASCII name that the file system takes works.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { LocalFileError, SrvSession } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
let emulator: RunningEmulator;
let session: SrvSession;
let dir: string;
const source = randomBytes(CHUNK * 2);

beforeAll(async () => {
  emulator = await startEmulator();
  session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
  await session.upload(source, '/Public/local.bin', { chunkSize: CHUNK });
  dir = await mkdtemp(join(tmpdir(), 'srv-local-files-'));
});
afterAll(async () => {
  await session.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => expect(emulator.state().downloadHandlers).toEqual([]));

test('a valid 244-byte name of 80 CJK characters: the temporary name is cut by bytes, not UTF-16 units', async () => {
  const name = `${'文'.repeat(80)}.bin`;
  expect(Buffer.byteLength(name)).toBe(244);
  await session.download('/Public/local.bin', join(dir, name), { chunkSize: CHUNK });
  expect((await readFile(join(dir, name))).equals(source)).toBe(true);
});

/** A small file system of its own, mounted for the test: that needs root, as CI has. */
function mounted(options: string): string | undefined {
  const point = join(dir, options.replace(/\W/g, '-'));
  try {
    execFileSync('mkdir', ['-p', point]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', point], { stdio: 'pipe' });
    return point;
  } catch (error) {
    if (process.env['CI'] === 'true') throw error;
    console.warn(`SKIPPED: mounting a tmpfs (${options}) needs root: ${(error as Error).message}`);
    return undefined;
  }
}

describe.each([
  ['a full disk', 'size=128k', 'ENOSPC', /could not be written: ENOSPC: no space left on device$/],
  ['a read-only file system', 'ro', 'EROFS', /cannot be written: EROFS: read-only file system$/],
])('%s', (_what, options, code, message) => {
  let point: string | undefined;
  beforeAll(() => {
    point = mounted(options);
  });
  afterAll(() => {
    if (point) execFileSync('umount', [point]);
  });

  test(`is a LocalFileError (${code}) naming the destination, and nothing is left there`, async () => {
    if (!point) return;
    const target = join(point, 'copy.bin');
    const error = await session.download('/Public/local.bin', target, { chunkSize: CHUNK }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalFileError);
    expect(error).toMatchObject({ code, path: target, message: expect.stringMatching(message) });
    expect((error as Error).message).not.toMatch(/\.part/);
    expect(await readdir(point)).toEqual([]);
  });
});
