// The command line as a user runs it: a child process against the emulator, its stdout parsed,
// its exit code checked, Ctrl-C sent for real; against every server profile (test/helpers/profiles.ts).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type ProfileName, type RunningEmulator } from '../../src/emulator/index.js';
import { PROFILES } from '../helpers/profiles.js';
import { CLI, runCli, type CliRun } from '../helpers/run-cli.js';

const PASSWORD = 'cli-secret-Pa55';
let emulator: RunningEmulator;
let dir: string;

function cli(args: string[], options: { env?: Record<string, string>; interruptWhen?: RegExp } = {}): Promise<CliRun> {
  const env = { SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: PASSWORD, ...options.env };
  return runCli(args, { env, ...(options.interruptWhen && { interruptWhen: options.interruptWhen, interruptDelayMs: 500 }) });
}

const json = (run: CliRun) => JSON.parse(run.stdout) as Record<string, unknown>;
const handlersLeft = () => emulator.state().uploadHandlers.length + emulator.state().downloadHandlers.length;

/** Starts the emulator the tests of a block use, and a scratch directory. */
function useEmulator(profile: ProfileName): void {
  beforeAll(async () => {
    emulator = await startEmulator({ profile, users: [{ user: 'demo', password: PASSWORD }] });
    dir = await mkdtemp(join(tmpdir(), `srv-cli-${profile}-`));
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });
}

describe.each(PROFILES)('against a %s server', (profile) => {
  useEmulator(profile);

  describe('upload', () => {
    test('--json: one JSON document on stdout with the ids, and the document stored', async () => {
      const file = join(dir, 'up.bin');
      const bytes = randomBytes(600_000);
      await writeFile(file, bytes);
      const run = await cli(['upload', file, '/Public/up.bin', '--chunk-size', '262144', '--json']);
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ ok: true, command: 'upload', path: '/Public/up.bin', bytes: 600_000, chunks: 3, documentId: expect.any(Number), versionId: expect.any(Number) });
      expect((await emulator.readDocument('/Public/up.bin')).equals(bytes)).toBe(true);
    });

    test('metadata flags reach the stored version', async () => {
      const file = join(dir, 'meta.txt');
      await writeFile(file, 'meta');
      const run = await cli(['upload', file, '/Public/meta.txt', '--comment', 'v2 & final', '--version-label', '2.0.1', '--description', 'The report', '--keywords', 'finance, q3']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/uploaded .*meta.txt to \/Public\/meta.txt: DocumentId \d+, VersionId \d+/);
      const version = emulator.state().documents.find((d) => d.path === '/Public/meta.txt')?.versions.at(-1);
      expect(version).toMatchObject({ comment: 'v2 & final', parameters: { DESCRIPTION: 'The report', KEYWORDS: 'finance,q3', MPVERSIONMAJOR: '2' } });
    });

    test('--new refuses an existing name: exit 1, a JSON error, no handler left', async () => {
      const file = join(dir, 'new.txt');
      await writeFile(file, 'x');
      expect((await cli(['upload', file, '/Public/new.txt', '--new'])).code).toBe(0);
      const again = await cli(['upload', file, '/Public/new.txt', '--new', '--json']);
      expect(again.code).toBe(1);
      expect(json(again)).toMatchObject({ ok: false, exitCode: 1, error: { name: 'ServiceError' } });
      expect(handlersLeft()).toBe(0);
    });

    test('Ctrl-C mid-upload: exit 130, the handler deleted, nothing stored', async () => {
      const file = join(dir, 'slow.bin');
      await writeFile(file, randomBytes(262_144 * 6));
      emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 300 });
      const run = await cli(['upload', file, '/Public/slow.bin', '--chunk-size', '262144'], { interruptWhen: /uploading/ });
      expect(run.code).toBe(130);
      expect(run.stderr).toMatch(/cancelled/);
      expect(handlersLeft()).toBe(0);
      expect(emulator.state().documents.some((d) => d.path === '/Public/slow.bin')).toBe(false);
    });
  });

  describe('download', () => {
    const remote = '/Public/down.bin';
    const bytes = randomBytes(700_000);
    beforeAll(async () => {
      const source = join(dir, 'down-source.bin');
      await writeFile(source, bytes);
      expect((await cli(['upload', source, remote])).code).toBe(0);
    });

    test('--json, then no overwrite without --force, then --force', async () => {
      const target = join(dir, 'down.bin');
      const run = await cli(['download', remote, target, '--chunk-size', '262144', '--json']);
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ ok: true, command: 'download', bytes: 700_000, chunks: 3 });
      expect((await readFile(target)).equals(bytes)).toBe(true);

      await writeFile(target, 'keep me');
      const refused = await cli(['download', remote, target]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/<file> .*down.bin exists; use --force to replace it/);
      expect((await readFile(target)).toString()).toBe('keep me');

      expect((await cli(['download', remote, target, '--force'])).code).toBe(0);
      expect((await readFile(target)).equals(bytes)).toBe(true);
    });

    test('a corrupt server: exit 4, no file at the destination', async () => {
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'corrupt' });
      const target = join(dir, 'corrupt.bin');
      const run = await cli(['download', remote, target, '--json']);
      expect(run.code).toBe(4);
      expect(json(run)).toMatchObject({ ok: false, error: { name: 'ChecksumMismatchError' } });
      expect(existsSync(target)).toBe(false);
      expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
    });

    test('Ctrl-C mid-download: exit 130, no partial file, no handler', async () => {
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 300 });
      const target = join(dir, 'interrupted.bin');
      const run = await cli(['download', remote, target, '--chunk-size', '262144', '--concurrency', '1'], { interruptWhen: /downloading/ });
      expect(run.code).toBe(130);
      expect(existsSync(target)).toBe(false);
      expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
      expect(handlersLeft()).toBe(0);
    });
  });

  describe('two downloads to one destination', () => {
    test('started together: one delivers the document, the other is refused (exit 2) naming the first process; nothing partial stays', async () => {
      const remote = '/Public/contested.bin';
      const bytes = randomBytes(262_144 * 8 + 5);
      const source = join(dir, 'contested-source.bin');
      await writeFile(source, bytes);
      expect((await cli(['upload', source, remote, '--chunk-size', '262144'])).code).toBe(0);
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 150 });
      const target = join(dir, 'contested.bin');
      const args = ['download', remote, target, '--chunk-size', '262144', '--concurrency', '1'];
      const runs = await Promise.all([cli(args), cli(args)]);
      expect(runs.map((run) => run.code).sort()).toEqual([0, 2]);
      // The other process is named once it has written who it is; a moment earlier, it is "starting".
      expect(runs.find((run) => run.code === 2)?.stderr).toMatch(/being downloaded by another process( \(\d+ on |, which is starting)/);
      expect((await readFile(target)).equals(bytes)).toBe(true);
      expect((await readdir(dir)).filter((f) => f.includes('.part'))).toEqual([]);
    });
  });

  describe('--binding', () => {
    test('http-post: an upload (its chunks raw multipart parts) and a download come back byte for byte', async () => {
      const file = join(dir, 'by-post.bin');
      const bytes = randomBytes(262_144 * 2 + 99);
      await writeFile(file, bytes);
      expect((await cli(['upload', file, '/Public/by-post.bin', '--chunk-size', '262144', '--binding', 'http-post'])).code).toBe(0);
      expect((await emulator.readDocument('/Public/by-post.bin')).equals(bytes)).toBe(true);
      const copy = join(dir, 'by-post-copy.bin');
      const run = await cli(['download', '/Public/by-post.bin', copy, '--binding', 'http-post', '--json']);
      expect(run.code).toBe(0);
      expect((await readFile(copy)).equals(bytes)).toBe(true);
      expect(handlersLeft()).toBe(0);
    });

    test('http-get keeps the ticket out of URLs unless --ticket-in-url asks for it, and then says so on stderr', async () => {
      const quiet = await cli(['exists', '/Public/x', '--binding', 'http-get', '--verbose']);
      expect(quiet.stderr).not.toMatch(/the ticket goes in the URLs/);
      const told = await cli(['exists', '/Public/x', '--binding', 'http-get', '--ticket-in-url', '--verbose']);
      expect(told.stderr.match(/the ticket goes in the URLs/g)).toHaveLength(1);
    });

    test('--verbose shows the method and binding each call went by: GET for a call sent by GET, never "SOAP 1.1 POST"', async () => {
      const run = await cli(['exists', '/Public/x', '--binding', 'http-get', '--ticket-in-url', '--verbose']);
      expect(run.stderr).toMatch(/→ DocumentExists \(HTTP GET binding\) GET http:\/\/\S+\/srv\.asmx\/DocumentExists\?/);
      expect(run.stderr).not.toMatch(/SOAP 1\.1/);
    });

    test('an unknown binding is a usage error naming the choices', async () => {
      const run = await cli(['exists', '/Public/x', '--binding', 'corba']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--binding.*soap11, soap12, http-post, http-get/s);
    });
  });

  describe('download --resume', () => {
    test('killed outright mid-download, then run again: it goes on with the verified bytes and leaves nothing behind', async () => {
      const remote = '/Public/resumable.bin';
      const bytes = randomBytes(262_144 * 16);
      const source = join(dir, 'resumable-source.bin');
      await writeFile(source, bytes);
      expect((await cli(['upload', source, remote, '--chunk-size', '262144'])).code).toBe(0);
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 200 });
      const target = join(dir, 'resumable.bin');
      const args = ['download', remote, target, '--chunk-size', '262144', '--concurrency', '2', '--resume'];
      const killed = await runCli(args, { env: { SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: PASSWORD }, interruptWhen: /downloading/, interruptDelayMs: 700, interruptSignal: 'SIGKILL' });
      expect(killed.code).toBeNull();
      expect(existsSync(target)).toBe(false);
      emulator.faults.clear();
      const again = await cli([...args, '--json']);
      expect(again.code).toBe(0);
      const result = json(again);
      expect(result).toMatchObject({ ok: true, bytes: bytes.length });
      expect(result['resumedBytes']).toBeGreaterThan(0);
      expect((await readFile(target)).equals(bytes)).toBe(true);
      expect((await readdir(dir)).filter((f) => f.includes('.part'))).toEqual([]);
    });

    test('killed outright without --resume, then run again with it: it goes on with what the first run verified', async () => {
      const remote = '/Public/killed-plain.bin';
      const bytes = randomBytes(262_144 * 16);
      const source = join(dir, 'killed-plain-source.bin');
      await writeFile(source, bytes);
      expect((await cli(['upload', source, remote, '--chunk-size', '262144'])).code).toBe(0);
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 200 });
      const target = join(dir, 'killed-plain.bin');
      const args = ['download', remote, target, '--chunk-size', '262144', '--concurrency', '2'];
      const killed = await runCli(args, { env: { SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: PASSWORD }, interruptWhen: /downloading/, interruptDelayMs: 700, interruptSignal: 'SIGKILL' });
      expect(killed.code).toBeNull();
      emulator.faults.clear();
      const again = await cli([...args, '--resume', '--json']);
      expect(again.code).toBe(0);
      expect(json(again)['resumedBytes']).toBeGreaterThan(0);
      expect((await readFile(target)).equals(bytes)).toBe(true);
      expect((await readdir(dir)).filter((f) => f.includes('.part'))).toEqual([]);
    });

    test('with standard output is a usage error', async () => {
      const run = await cli(['download', '/Public/x', '-', '--resume']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--resume needs a file/);
    });
  });

  describe('exists', () => {
    test('exit 0 when it exists, 10 when not; --file compares by CRC-32 (11 when different)', async () => {
      const file = join(dir, 'exists.txt');
      await writeFile(file, 'same');
      expect((await cli(['upload', file, '/Public/exists.txt'])).code).toBe(0);
      const found = await cli(['exists', '/Public/exists.txt', '--json']);
      expect(found.code).toBe(0);
      expect(json(found)).toMatchObject({ exists: true, crc32LastVersion: expect.stringMatching(/^[0-9a-f]{8}$/) });
      expect((await cli(['exists', '/Public/missing.txt'])).code).toBe(10);
      const same = await cli(['exists', '/Public/exists.txt', '--file', file, '--json']);
      expect(same.code).toBe(0);
      expect(json(same)).toMatchObject({ same: true });
      await writeFile(file, 'different');
      const differs = await cli(['exists', '/Public/exists.txt', '--file', file]);
      expect(differs.code).toBe(11);
      expect(differs.stdout).toMatch(/is different/);
    });
  });

  describe('sync', () => {
    test('dry run, first run, unchanged run, and a changed file', async () => {
      const local = join(dir, 'tree');
      await mkdir(join(local, 'sub', 'deeper'), { recursive: true });
      await writeFile(join(local, 'a.txt'), 'a');
      await writeFile(join(local, 'sub', 'b.txt'), 'b');
      await writeFile(join(local, 'sub', 'deeper', 'c.txt'), 'c');
      const paths = ['/Public/Mirror/a.txt', '/Public/Mirror/sub/b.txt', '/Public/Mirror/sub/deeper/c.txt'];

      const dry = await cli(['sync', local, '/Public/Mirror', '--dry-run', '--json']);
      expect(dry.code).toBe(0);
      expect(json(dry)).toMatchObject({ dryRun: true, uploaded: paths.map((remotePath) => ({ remotePath, change: 'new' })), skipped: [] });
      expect(emulator.state().documents.some((d) => d.path.startsWith('/Public/Mirror'))).toBe(false);

      const first = await cli(['sync', local, '/Public/Mirror', '--concurrency', '2', '--json']);
      expect(first.code).toBe(0);
      expect((json(first)['uploaded'] as unknown[]).length).toBe(3);
      for (const path of paths) expect(emulator.state().documents.some((d) => d.path === path)).toBe(true);

      const unchanged = await cli(['sync', local, '/Public/Mirror', '--json']);
      expect(json(unchanged)).toMatchObject({ uploaded: [], skipped: paths });

      await writeFile(join(local, 'sub', 'b.txt'), 'b, edited');
      const changed = await cli(['sync', local, '/Public/Mirror', '--json']);
      expect(json(changed)).toMatchObject({ uploaded: [{ remotePath: '/Public/Mirror/sub/b.txt', change: 'changed' }] });
      expect((await emulator.readDocument('/Public/Mirror/sub/b.txt')).toString()).toBe('b, edited');
    });
  });

  describe('authentication and secrets', () => {
    test('a wrong password exits 3', async () => {
      const run = await cli(['exists', '/Public/x', '--json'], { env: { SRV_ASMX_PASSWORD: 'wrong' } });
      expect(run.code).toBe(3);
      expect(json(run)).toMatchObject({ ok: false, error: { name: 'AuthenticationError' } });
    });

    test('--password works, with a warning that it shows in the process list', async () => {
      const run = await cli(['exists', '/Public/up.bin', '--password', PASSWORD], { env: { SRV_ASMX_PASSWORD: '' } });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/--password shows in the process list/);
    });

    test('a ticket from SRV_ASMX_TICKET is used, and neither it nor a password shows with --verbose', async () => {
      const login = await cli(['exists', '/Public/up.bin', '--verbose']);
      expect(login.stderr).toMatch(/→ AuthenticateUser \(SOAP 1.1\)/);
      expect(login.stderr).toMatch(/→ DocumentExists/);
      expect(login.stderr + login.stdout).not.toContain(PASSWORD);
      const ticket = /ticket="([^"]+)"/.exec(login.stderr)?.[1];
      expect(ticket).toBe('[redacted]');

      const owner = await fetch(`${emulator.url}/AuthenticateUser`, { method: 'POST', body: new URLSearchParams({ UID: 'demo', PWD: PASSWORD }) });
      const granted = /ticket="([^"]+)"/.exec(await owner.text())?.[1] as string;
      const withTicket = await cli(['exists', '/Public/up.bin', '--verbose'], { env: { SRV_ASMX_TICKET: granted, SRV_ASMX_PASSWORD: '' } });
      expect(withTicket.code).toBe(0);
      expect(withTicket.stderr).not.toMatch(/AuthenticateUser/);
      expect(withTicket.stderr + withTicket.stdout).not.toContain(granted);
    });

    test('the password prompt on a terminal does not echo what is typed', async () => {
      // `script` runs the CLI on a pseudo-terminal; the password is typed when the prompt shows.
      const env = { PATH: process.env['PATH'] ?? '', SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo' };
      const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} exists /Public/up.bin`, '/dev/null'], { env });
      let screen = '';
      let typed = false;
      child.stdout.on('data', (d: Buffer) => {
        screen += d.toString();
        if (screen.includes('Password: ') && !typed) {
          typed = true;
          child.stdin.write(`${PASSWORD}\n`);
        }
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(screen).toMatch(/Password: /);
      expect(screen).toMatch(/\/Public\/up.bin exists/);
      expect(screen).not.toContain(PASSWORD);
      expect(code).toBe(0);
    });
  });
});

describe('usage', () => {
  useEmulator('documented');

  test.each([
    [['upload', 'only-one-argument'], /missing required argument 'remotePath'/],
    [['download', '/Public/x', 'x', '--chunk-size', 'big'], /--chunk-size <bytes>.*expected a whole number/],
    [['upload', 'a', '/Public/a', '--version-label', '2.0'], /--version-label <major.minor.revision>.*MAJOR.MINOR.REVISION/],
    [['exists', '/Public/x', '--soap', '1.3'], /--soap <version>.*expected 1.1 or 1.2/],
    [['upload', 'a', '/Public/a', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j is a usage error (exit 2) that names what is wrong', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('a missing URL or password is a usage error that says where to put it', async () => {
    const noUrl = await cli(['exists', '/Public/x'], { env: { SRV_ASMX_URL: '' } });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/missing --url <url> \(or SRV_ASMX_URL\)/);
    const noPassword = await cli(['exists', '/Public/x'], { env: { SRV_ASMX_PASSWORD: '' } });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/SRV_ASMX_PASSWORD/);
  });

  test('every command has --help with examples', async () => {
    for (const command of ['upload', 'download', 'exists', 'sync', 'serve', 'demo']) {
      const run = await cli([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(command === 'serve' ? /Fault rules/ : /Examples:/);
    }
  });
});

test('demo: the main job round-trips a file through its own emulator and verifies it', async () => {
  const run = await cli(['demo', '--size', '4', '--chunk-size', '262144', '--json'], { env: { SRV_ASMX_URL: '', SRV_ASMX_USER: '', SRV_ASMX_PASSWORD: '' } });
  expect(run.code).toBe(0);
  expect(json(run)).toMatchObject({ ok: true, verified: true, bytes: 4 * 1024 * 1024, upload: { chunks: 16 }, download: { chunks: 16 } });
  expect((json(run)['faultsInjected'] as unknown[]).length).toBe(2);
});
