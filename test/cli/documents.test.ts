// The commands of issue 23 as a user runs them, against every server profile: ls, versions, info,
// rm, lock, unlock, limits and check, their human output, --json, exit codes and bad input; and
// sync --lock and --max-size.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession } from '../../src/index.js';
import { crc32, crcToHex } from '../../src/integrity/crc32.js';
import { PROFILES } from '../helpers/profiles.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';

const PASSWORD = 'cli-secret-Pa55';
let emulator: RunningEmulator;
let dir: string;

function cli(args: string[], user = 'demo'): Promise<CliRun> {
  return runCli(args, { env: { SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: user, SRV_ASMX_PASSWORD: PASSWORD } });
}
const json = (run: CliRun) => JSON.parse(run.stdout) as Record<string, unknown>;

describe.each(PROFILES)('against a %s server', (profile) => {
  const minimal = profile === 'minimal';
  let session: SrvSession;

  beforeEach(async () => {
    emulator = await startEmulator({ profile, users: [{ user: 'demo', password: PASSWORD }, { user: 'bob', password: PASSWORD }], uploadLimit: 5_000_000 });
    dir = await mkdtemp(join(tmpdir(), `srv-cli-docs-${profile}-`));
    session = await SrvSession.login({ url: emulator.url, user: 'demo', password: PASSWORD });
  });
  afterEach(async () => {
    await session.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('ls: names, folders with /; -l with size, versions, date and lock holder; --json', async () => {
    await session.ensureFolder('/Public/r/sub');
    await session.upload(Buffer.from('hello'), '/Public/r/a.txt');
    await session.upload(Buffer.from('hello!'), '/Public/r/a.txt');
    await session.lock('/Public/r/a.txt');
    const plain = await cli(['ls', '/Public/r']);
    expect(plain.code).toBe(0);
    // The server's order (C47): only the names are compared.
    expect(plain.stdout.split('\n').filter(Boolean).sort()).toEqual(['a.txt', 'sub/']);
    const long = await cli(['ls', '-l', '/Public/r']);
    expect(long.code).toBe(0);
    expect(long.stdout).toMatch(minimal ? /^\s+-\s+-\s+-\s+-\s+a\.txt$/m : /^\s+6\s+2\s+\d{4}-\d\d-\d\d\s+demo\s+a\.txt$/m);
    const data = json(await cli(['ls', '/Public/r', '--json']));
    expect(data).toMatchObject({ ok: true, command: 'ls', folder: '/Public/r', entries: expect.arrayContaining([expect.objectContaining({ kind: 'document', name: 'a.txt', path: '/Public/r/a.txt' }), expect.objectContaining({ kind: 'folder', name: 'sub' })]) });
    expect((await cli(['ls', '/Public/r/sub'])).stdout).toBe('(/Public/r/sub is empty)\n');
  });

  test('ls: a missing folder, or a document given for a folder, fails with exit 1', async () => {
    await session.upload(Buffer.from('x'), '/Public/doc.txt');
    const missing = await cli(['ls', '/Public/none', '--json']);
    expect(missing.code).toBe(1);
    expect(json(missing)).toMatchObject({ ok: false, exitCode: 1, error: { name: 'NotFoundError' } });
    expect((await cli(['ls', '/Public/doc.txt'])).code).toBe(1);
    expect((await cli(['ls'])).code).toBe(2);
  });

  test('versions prints the numbers download --version-number and info take', async () => {
    const one = randomBytes(1_000);
    await session.upload(one, '/Public/v.bin');
    await session.upload(randomBytes(2_000), '/Public/v.bin');
    const run = await cli(['versions', '/Public/v.bin']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean).map((line) => line.trim().split(/\s+/)[0])).toEqual(['1000000', '2000000']);
    expect(json(await cli(['versions', '/Public/v.bin', '--json']))).toMatchObject({ ok: true, versions: [{ number: 1_000_000 }, { number: 2_000_000 }] });
    const info = await cli(['info', '/Public/v.bin', '--version-number', '1000000', '--json']);
    expect(json(info)).toMatchObject({ ok: true, command: 'info', size: 1_000, crc32: crcToHex(crc32(one)), versionNumber: 1_000_000 });
    expect((await cli(['info', '/Public/v.bin'])).stdout).toMatch(/^\/Public\/v\.bin \(latest version\): 2\.0 KiB \(2000 bytes\), CRC32 [0-9a-f]{8}/);
    const file = join(dir, 'v1.bin');
    expect((await cli(['download', '/Public/v.bin', file, '--version-number', '1000000'])).code).toBe(0);
  });

  test('versions and info: a missing document, a version that does not exist, a folder for a document', async () => {
    await session.upload(Buffer.from('x'), '/Public/one.txt');
    expect((await cli(['versions', '/Public/none.txt'])).code).toBe(1);
    const absent = await cli(['info', '/Public/one.txt', '--version-number', '9000000', '--json']);
    expect(absent.code).toBe(1);
    expect(json(absent)).toMatchObject({ error: { name: 'NotFoundError' } });
    const bad = await cli(['info', '/Public/one.txt', '--version-number', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/version numbers are 1000000, 2000000/);
    expect((await cli(['info', '/Public/one.txt', '--version-number', 'latest'])).code).toBe(2);
    expect((await cli(['info', '/Public'])).code).toBe(1);
    expect((await cli(['versions', '/Public'])).code).toBe(1);
  });

  test('rm: a version for good, then the document to the recycle bin; missing ones fail', async () => {
    await session.upload(Buffer.from('one'), '/Public/del.txt');
    await session.upload(Buffer.from('two'), '/Public/del.txt');
    const version = await cli(['rm', '/Public/del.txt', '--version-number', '1000000', '--json']);
    expect(version.code).toBe(0);
    expect(json(version)).toEqual({ ok: true, command: 'rm', remotePath: '/Public/del.txt', versionNumber: 1_000_000 });
    expect((await cli(['rm', '/Public/del.txt', '--version-number', '1000000'])).code).toBe(1);
    const whole = await cli(['rm', '/Public/del.txt']);
    expect(whole).toMatchObject({ code: 0, stdout: 'moved /Public/del.txt to the recycle bin\n' });
    expect(emulator.state().recycleBin).toHaveLength(1);
    expect((await cli(['rm', '/Public/del.txt'])).code).toBe(1);
    await session.upload(Buffer.from('kept'), '/Public/kept.txt');
    const bad = await cli(['rm', '/Public/kept.txt', '--version-number', '5', '--json']);
    expect(bad.code).toBe(2);
    expect(json(bad)).toMatchObject({ ok: false, exitCode: 2, error: { name: 'InvalidArgumentError' } });
    expect((await cli(['rm', '/Public'])).code).toBe(1);
    expect((await cli(['rm'])).code).toBe(2);
    expect(await session.exists('/Public/kept.txt')).toBeDefined();
  });

  test('lock and unlock: another user is refused with the holder named; unlock frees it', async () => {
    await session.upload(Buffer.from('x'), '/Public/l.txt');
    expect(await cli(['lock', '/Public/l.txt'])).toMatchObject({ code: 0, stdout: 'locked /Public/l.txt\n' });
    const file = join(dir, 'l.txt');
    await writeFile(file, 'bob');
    const refused = await cli(['upload', file, '/Public/l.txt', '--json'], 'bob');
    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ ok: false, error: { name: 'CheckedOutError', serverMessage: 'Document is checked out by demo.' } });
    expect(emulator.state().uploadHandlers).toEqual([]);
    expect((await cli(['unlock', '/Public/l.txt'], 'bob')).code).toBe(1);
    expect(json(await cli(['unlock', '/Public/l.txt', '--json']))).toEqual({ ok: true, command: 'unlock', remotePath: '/Public/l.txt', force: false });
    expect((await cli(['upload', file, '/Public/l.txt'], 'bob')).code).toBe(0);
    expect((await cli(['lock', '/Public/none.txt'])).code).toBe(1);
    expect((await cli(['unlock', '/Public/none.txt'])).code).toBe(1);
    expect(json(await cli(['lock', '/Public/l.txt', '--json']))).toEqual({ ok: true, command: 'lock', remotePath: '/Public/l.txt' });
    expect((await cli(['lock'])).code).toBe(2);
  });

  test('limits: each limit, or unknown; an upload past them is refused before it starts', async () => {
    const run = await cli(['limits', '--json']);
    expect(run.code).toBe(0);
    const expected = minimal ? {} : { fileUploadLimit: 5_000_000, documentMaxSize: 1_073_741_824, maxUploadSize: 5_000_000 };
    expect(json(run)).toEqual({ ok: true, command: 'limits', ...expected });
    expect((await cli(['limits'])).stdout).toMatch(minimal ? /largest upload: not checked/ : /FILEUPLOADLIMIT: 5000000 bytes \(4\.8 MiB\)/);
    expect((await cli(['limits', 'extra'])).code).toBe(2);
    if (minimal) return;
    const big = join(dir, 'big.bin');
    await writeFile(big, Buffer.alloc(5_000_001));
    const refused = await cli(['upload', big, '/Public/big.bin', '--json']);
    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ ok: false, error: { name: 'UploadTooLargeError', message: expect.stringMatching(/5000001 bytes, larger than the server's FILEUPLOADLIMIT of 5000000/) } });
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  test('check: 0 when the trees are the same, 12 with what is missing, extra and different', async () => {
    const local = join(dir, 'tree');
    await mkdir(join(local, 'sub'), { recursive: true });
    await writeFile(join(local, 'a.txt'), 'alpha');
    await writeFile(join(local, 'sub', 'b.txt'), 'beta');
    await session.upload(Buffer.from('alpha'), '/Public/t/a.txt', { createFolders: true });
    await session.upload(Buffer.from('beta'), '/Public/t/sub/b.txt', { createFolders: true });
    const same = await cli(['check', local, '/Public/t']);
    expect(same).toMatchObject({ code: 0, stdout: 'the same: 2 matching, 0 missing, 0 extra, 0 different\n' });
    const downloads = emulator.state().downloadHandlers.length;
    await writeFile(join(local, 'sub', 'b.txt'), 'BETA');
    await writeFile(join(local, 'new.txt'), 'new');
    await session.upload(Buffer.from('only there'), '/Public/t/sub/extra.txt');
    const differ = await cli(['check', local, '/Public/t', '--json']);
    expect(differ.code).toBe(12);
    expect(json(differ)).toMatchObject({ ok: true, same: false, matching: 1, missing: ['new.txt'], extra: ['sub/extra.txt'], different: [{ path: 'sub/b.txt', reason: 'crc32' }] });
    expect(emulator.state().downloadHandlers.length).toBe(downloads);
    expect((await cli(['check', join(dir, 'none'), '/Public/t'])).code).toBe(2);
    expect((await cli(['check', local, '/Public/none'])).code).toBe(1);
    expect((await cli(['check', join(local, 'a.txt'), '/Public/t'])).code).toBe(2);
    expect((await cli(['check', local, '/Public/t/a.txt'])).code).toBe(1);
  });

  test('sync --lock locks each changed document around its upload; --max-size skips larger files, saying so', async () => {
    const local = join(dir, 'sync');
    await mkdir(local, { recursive: true });
    await session.upload(Buffer.from('old'), '/Public/s/changed.txt', { createFolders: true });
    await writeFile(join(local, 'changed.txt'), 'new content');
    await writeFile(join(local, 'fresh.txt'), 'fresh');
    await writeFile(join(local, 'large.bin'), Buffer.alloc(2_000));
    const run = await cli(['sync', local, '/Public/s', '--lock', '--max-size', '1000', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/not uploaded: .*large\.bin: 2000 bytes, larger than --max-size 1000/);
    expect(json(run)).toMatchObject({ ok: true, uploaded: [{ remotePath: '/Public/s/changed.txt', change: 'changed' }, { remotePath: '/Public/s/fresh.txt', change: 'new' }] });
    expect((await emulator.readDocument('/Public/s/changed.txt')).toString()).toBe('new content');
    expect(emulator.state().documents.filter((d) => d.checkedOutBy !== undefined)).toEqual([]);
    expect(emulator.state().documents.some((d) => d.path === '/Public/s/large.bin')).toBe(false);
    // Locked by another user: that file fails, the lock is theirs still.
    await writeFile(join(local, 'changed.txt'), 'newer');
    const bob = await SrvSession.login({ url: emulator.url, user: 'bob', password: PASSWORD });
    await bob.lock('/Public/s/changed.txt');
    await bob.close();
    const locked = await cli(['sync', local, '/Public/s', '--lock', '--max-size', '1000', '--json']);
    expect(locked.code).toBe(1);
    expect(json(locked)).toMatchObject({ ok: false, failed: [{ remotePath: '/Public/s/changed.txt', error: expect.stringMatching(/checked out by bob/) }] });
  });
});
