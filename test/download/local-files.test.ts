// Failures of the local file system at a download's destination are LocalFileError, told in terms
// of the destination the user named; a long non-ASCII name that the file system takes works; links
// planted where the download keeps its files are refused, never written through.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { AbortError, LocalFileError, SrvSession } from '../../src/index.js';
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

describe('a link planted where the download keeps its files', () => {
  let home: string;
  let outside: string;
  const victim = () => join(outside, 'victim');
  beforeEach(async () => {
    home = await mkdtemp(join(dir, 'home-'));
    outside = await mkdtemp(join(dir, 'outside-'));
    await writeFile(victim(), 'precious');
  });

  /** What a download with resume leaves when it is cancelled after its first chunk. */
  async function interrupted(target: string): Promise<void> {
    const controller = new AbortController();
    const options = { chunkSize: CHUNK, concurrency: 1, resume: true, signal: controller.signal, onProgress: () => controller.abort() };
    await expect(session.download('/Public/local.bin', target, options)).rejects.toBeInstanceOf(AbortError);
  }

  describe.each([
    ['a symbolic link', '.part', symlink],
    ['a symbolic link', '.part.json', symlink],
    ['a symbolic link', '.part.json.new', symlink],
    ['a symbolic link', '.part.lock', symlink],
    ['a hard link', '.part', link],
  ])('%s as %s, to a file out of the directory', (_kind, suffix, plant) => {
    test.each([true, false])('resume %s: refused with a LocalFileError naming it; nothing is written through it', async (resume) => {
      const target = join(home, 'linked.bin');
      await interrupted(target);
      const planted = join(home, `.linked.bin.srv-asmx${suffix}`);
      await rm(planted, { force: true });
      await plant(victim(), planted);
      const error = await session.download('/Public/local.bin', target, { chunkSize: CHUNK, resume }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalFileError);
      expect(error).toMatchObject({ path: planted, message: expect.stringContaining(planted) });
      expect(await readFile(victim(), 'utf8')).toBe('precious');
      expect(await readdir(outside)).toEqual(['victim']);
    });
  });

  test('a directory as .part is refused too', async () => {
    const target = join(home, 'dir.bin');
    const planted = join(home, '.dir.bin.srv-asmx.part');
    await mkdir(planted);
    await expect(session.download('/Public/local.bin', target, { chunkSize: CHUNK })).rejects.toMatchObject({ name: 'LocalFileError', path: planted });
  });
});
