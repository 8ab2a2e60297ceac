// The command line as the places where it runs expect it: signals from CI runners, containers and
// `timeout`; --version; JSON for every failure; its own terms in messages; local mistakes found
// before any network call; - for stdin and stdout; a ticket from `login`; folders made on request.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { VERSION } from '../../src/index.js';
import { CLI, runCli, type CliRun } from '../helpers/run-cli.js';

const CHUNK = '262144';
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'srv-cli-conventions-'));
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo', ...extra });
const json = (run: CliRun) => JSON.parse(run.stdout) as { ok: boolean; exitCode?: number; error?: Record<string, unknown>; ticket?: string };
const handlersLeft = () => emulator.state().uploadHandlers.length + emulator.state().downloadHandlers.length;
const exists = (path: string) => emulator.state().documents.some((d) => d.path === path);
/** A URL nothing listens on: a command that tried the network would retry there for seconds, then exit 1. */
const NOWHERE = { SRV_ASMX_URL: 'http://127.0.0.1:9/srv.asmx', SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' };

describe('signals', () => {
  test.each([
    ['SIGTERM', 143, 1],
    ['SIGTERM twice in the same moment, as timeout sends it', 143, 2],
    ['SIGHUP', 129, 1],
  ] as const)('%s during an upload: the handler is deleted, nothing is stored, exit %i', async (what, code, times) => {
    const file = join(dir, `signal-${code}-${times}.bin`);
    await writeFile(file, randomBytes(262_144 * 6));
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 300 });
    const signal = what.startsWith('SIGHUP') ? 'SIGHUP' : 'SIGTERM';
    const run = await runCli(['upload', file, '/Public/signalled.bin', '--chunk-size', CHUNK], { env: env(), interruptWhen: /uploading/, interruptDelayMs: 500, interruptSignal: signal, interruptTimes: times });
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(new RegExp(`${signal}: cancelling`));
    expect(handlersLeft()).toBe(0);
    expect(exists('/Public/signalled.bin')).toBe(false);
  });

  test('SIGTERM during a download: no partial file, no handler, exit 143', async () => {
    const source = join(dir, 'to-download.bin');
    await writeFile(source, randomBytes(700_000));
    expect((await runCli(['upload', source, '/Public/to-download.bin'], { env: env() })).code).toBe(0);
    emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 300 });
    const target = join(dir, 'downloaded-then-killed.bin');
    const run = await runCli(['download', '/Public/to-download.bin', target, '--chunk-size', CHUNK, '--concurrency', '1'], { env: env(), interruptWhen: /downloading/, interruptDelayMs: 500, interruptSignal: 'SIGTERM' });
    expect(run.code).toBe(143);
    expect(existsSync(target)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(handlersLeft()).toBe(0);
  });
});

describe('conventions', () => {
  test('--version prints the version', async () => {
    const run = await runCli(['--version'], { env: {} });
    expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  test('a reader that goes away (--help | head -1) ends the command quietly', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  test('--json: a usage error commander finds is JSON too', async () => {
    const run = await runCli(['upload', 'a', '/Public/a', '--bogus', '--json'], { env: {} });
    expect(run.code).toBe(2);
    expect(json(run)).toMatchObject({ ok: false, exitCode: 2, error: { name: 'UsageError', message: expect.stringMatching(/unknown option '--bogus'/) } });
  });

  test('--json: a failure carries its operation, the server message and its code', async () => {
    const run = await runCli(['exists', '/Public/a', '--json'], { env: env({ SRV_ASMX_PASSWORD: 'wrong' }) });
    expect(run.code).toBe(3);
    expect(json(run)).toMatchObject({ ok: false, exitCode: 3, error: { name: 'AuthenticationError', operation: 'AuthenticateUser', serverMessage: '[900] Authentication failed', code: 900 } });
  });

  test('--json: a transport failure says whether the request may have reached the server', async () => {
    emulator.faults.add({ op: 'DocumentExists', kind: 'http500' });
    const run = await runCli(['exists', '/Public/a', '--json'], { env: env() });
    expect(run.code).toBe(1);
    expect(json(run).error).toMatchObject({ operation: 'DocumentExists', mayHaveReachedServer: true, httpStatus: 500 });
  });

  test.each([
    [['download', '/Public/x', join(tmpdir(), 'x.bin'), '--chunk-size', '100'], /^srv-asmx: --chunk-size must be a whole number from 262144 to 33554432, not 100$/m],
    [['exists', '/Public/x', '--url', 'not a url'], /^srv-asmx: --url is not a URL: not a url$/m],
  ])('messages use the command line\'s names: %j', async (args, message) => {
    const run = await runCli(args, { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test.each([
    [['exists', '/Public/x', '--file', '/no/such/file'], /--file \/no\/such\/file does not exist/],
    [['sync', '/no/such/dir', '/Public'], /<localDir> \/no\/such\/dir does not exist/],
    [['upload', '/no/such/file', '/Public/x'], /<file> \/no\/such\/file does not exist/],
    [['download', '/Public/x', '/no/such/dir/x.bin'], /<file> \/no\/such\/dir\/x\.bin: \/no\/such\/dir is not an existing directory/],
  ])('a local mistake is a usage error before any network call: %j', async (args, message) => {
    const run = await runCli(args, { env: NOWHERE });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/retrying/);
  });
});

test('- reads standard input and writes standard output, with the result on stderr', async () => {
  const up = await runCli(['upload', '-', '/Public/from-stdin.txt'], { env: env(), stdin: 'through the pipes\n' });
  expect(up.code).toBe(0);
  const down = await runCli(['download', '/Public/from-stdin.txt', '-', '--json'], { env: env() });
  expect(down.code).toBe(0);
  expect(down.stdout).toBe('through the pipes\n');
  expect(JSON.parse(down.stderr.trim().split('\n').at(-1) as string)).toMatchObject({ ok: true, bytes: 18 });
});

test('login prints a ticket that later commands reuse, and none of them logs it out', async () => {
  const login = await runCli(['login', '--json'], { env: env() });
  expect(login.code).toBe(0);
  const { ticket } = json(login);
  expect(ticket).toMatch(/^[0-9a-f-]{36}$/);
  const withTicket = { SRV_ASMX_URL: emulator.url, SRV_ASMX_TICKET: ticket as string };
  for (let n = 0; n < 2; n++) expect((await runCli(['exists', '/Public/none'], { env: withTicket })).code).toBe(10);
  const plain = await runCli(['login'], { env: env() });
  expect(plain.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
});

test('a missing folder is named before a byte is sent; --parents creates it', async () => {
  const file = join(dir, 'deep.txt');
  await writeFile(file, 'deep');
  const refused = await runCli(['upload', file, '/Public/new/deeper/deep.txt'], { env: env() });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/the folder \/Public\/new\/deeper does not exist/);
  // The fix in the command line's words, never the library's option.
  expect(refused.stderr).toMatch(/--parents/);
  expect(refused.stderr).not.toMatch(/createFolders/);
  expect(handlersLeft()).toBe(0);
  const made = await runCli(['upload', file, '/Public/new/deeper/deep.txt', '--parents'], { env: env() });
  expect(made.code).toBe(0);
  expect((await emulator.readDocument('/Public/new/deeper/deep.txt')).toString()).toBe('deep');
  expect((await readFile(file)).toString()).toBe('deep');
});

describe('the password prompt on a terminal', () => {
  /** Runs the CLI on a pseudo-terminal (`script`), typing `answer` once the prompt shows. */
  async function atPrompt(answer: string): Promise<{ code: unknown; screen: string }> {
    const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} exists /Public/none`, '/dev/null'], { env: { PATH: process.env['PATH'] ?? '', SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo' } });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (data: Buffer) => {
      screen += data.toString();
      if (screen.includes('Password: ') && !typed) {
        typed = true;
        child.stdin.write(answer);
      }
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    return { code, screen };
  }

  test('the answer ends the prompt line: what follows starts on a line of its own', async () => {
    const { code, screen } = await atPrompt('demo\r');
    expect(code).toBe(10);
    const answerLine = screen.split('\n').find((line) => line.includes('/Public/none does not exist'));
    expect(answerLine).toBeDefined();
    expect(answerLine).not.toMatch(/Password/);
  });

  test('Ctrl-C at the prompt cancels: exit 130', async () => {
    const { code } = await atPrompt('\u0003');
    expect(code).toBe(130);
  });
});
