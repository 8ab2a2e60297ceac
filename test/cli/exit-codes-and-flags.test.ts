// Issue 21, part 4: exists tells present, absent, different and failed apart by exit code; --retries,
// --idle-timeout, --quiet, --no-progress and logout; a usage error is one line and where to look.
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';

const PASSWORD = 'flags-secret-Pa55';
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ profile: 'documented', users: [{ user: 'demo', password: PASSWORD }] });
  dir = await mkdtemp(join(tmpdir(), 'srv-cli-flags-'));
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { env: { SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: PASSWORD, ...env } });
}

/** A web server that answers every request with HTTP 503. */
async function unavailable(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    request.resume();
    response.writeHead(503, { 'Content-Type': 'text/html' });
    response.end('<html><body>503 Service Unavailable</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A port nothing listens on: connections to it are refused. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/srv.asmx`;
}

describe('exists', () => {
  test('0 present, 10 absent, 11 present but different, 0 present and the same', async () => {
    const file = join(dir, 'codes.txt');
    await writeFile(file, 'same');
    expect((await cli(['upload', file, '/Public/codes.txt'])).code).toBe(0);
    expect((await cli(['exists', '/Public/codes.txt'])).code).toBe(0);
    expect((await cli(['exists', '/Public/codes.txt', '--file', file])).code).toBe(0);
    const absent = await cli(['exists', '/Public/absent.txt', '--json']);
    expect(absent.code).toBe(10);
    expect(JSON.parse(absent.stdout)).toMatchObject({ ok: true, exists: false });
    expect((await cli(['exists', '/Public/NoSuchFolder/absent.txt'])).code).toBe(10);
    await writeFile(file, 'different');
    const different = await cli(['exists', '/Public/codes.txt', '--file', file]);
    expect(different.code).toBe(11);
    expect(different.stdout).toMatch(/is different/);
  });

  test('a failure is never "absent": HTTP 503, a wrong password, a server error, a refused connection', async () => {
    const server = await unavailable();
    const gateway = await cli(['exists', '/Public/codes.txt', '--retries', '0'], { SRV_ASMX_URL: server.url });
    await server.close();
    expect(gateway.code).toBe(1);
    const wrongPassword = await cli(['exists', '/Public/absent.txt'], { SRV_ASMX_PASSWORD: 'wrong' });
    expect(wrongPassword.code).toBe(3);
    emulator.faults.add({ op: 'DocumentExists', kind: 'http500' });
    const serverError = await cli(['exists', '/Public/absent.txt', '--retries', '0', '--json']);
    expect(serverError.code).toBe(1);
    expect(JSON.parse(serverError.stdout)).toMatchObject({ ok: false, exitCode: 1 });
    const refused = await cli(['exists', '/Public/absent.txt', '--retries', '0'], { SRV_ASMX_URL: await refusedUrl() });
    expect(refused.code).toBe(1);
  });
});

describe('--retries and --idle-timeout', () => {
  test('--retries 0: a refused connection fails at once, with no retry', async () => {
    const started = performance.now();
    const run = await cli(['exists', '/Public/x', '--retries', '0'], { SRV_ASMX_URL: await refusedUrl() });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/retrying/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test('--retries 1 (or SRV_ASMX_RETRIES) retries once and says so', async () => {
    const flag = await cli(['exists', '/Public/x', '--retries', '1'], { SRV_ASMX_URL: await refusedUrl() });
    expect(flag.stderr.match(/retrying \(\d\/1\)/g)).toEqual(['retrying (1/1)']);
    const variable = await cli(['exists', '/Public/x'], { SRV_ASMX_URL: await refusedUrl(), SRV_ASMX_RETRIES: '1' });
    expect(variable.stderr.match(/retrying \(\d\/1\)/g)).toEqual(['retrying (1/1)']);
  });

  test('--idle-timeout: a server silent for longer fails the call', async () => {
    emulator.faults.add({ op: 'DocumentExists', kind: 'latency', latencyMs: 3_000 });
    const started = performance.now();
    const run = await cli(['exists', '/Public/x', '--idle-timeout', '0.5', '--retries', '0', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { name: 'TimeoutError' } });
    expect(performance.now() - started).toBeLessThan(2_900);
  });

  test('bad values are usage errors', async () => {
    expect((await cli(['exists', '/Public/x', '--retries', '-1'])).code).toBe(2);
    expect((await cli(['exists', '/Public/x', '--idle-timeout', '0'])).code).toBe(2);
  });
});

describe('--quiet and --no-progress', () => {
  test('--quiet: no progress, no notices (a retry), no information; the result on stdout still', async () => {
    const file = join(dir, 'quiet.txt');
    await writeFile(file, 'quiet');
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'http500', at: [1] });
    const run = await cli(['upload', file, '/Public/quiet.txt', '--quiet']);
    expect(run.code).toBe(0);
    expect(emulator.faults.injected().some((fault) => fault.op === 'UploadFileChunk' && fault.kind === 'http500')).toBe(true);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^uploaded /);
  });

  test('--quiet: errors and warnings still', async () => {
    const run = await cli(['exists', '/Public/x', '--quiet', '--password', 'wrong'], { SRV_ASMX_PASSWORD: '' });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/warning: --password shows in the process list/);
    expect(run.stderr).toMatch(/^srv-asmx: /m);
  });

  test('--no-progress: no progress lines, the other lines still', async () => {
    const file = join(dir, 'progress.txt');
    await writeFile(file, 'progress');
    const shown = await cli(['upload', file, '/Public/progress.txt']);
    expect(shown.stderr).toMatch(/^upload: /m);
    const hidden = await cli(['upload', file, '/Public/progress.txt', '--no-progress']);
    expect(hidden.code).toBe(0);
    expect(hidden.stderr).not.toMatch(/^upload: /m);
    expect(hidden.stderr).toMatch(/^uploading /m);
  });
});

test('logout: the ticket login printed is no longer valid; a second logout says it was already', async () => {
  const login = await cli(['login']);
  expect(login.code).toBe(0);
  const ticket = login.stdout.trim();
  expect((await cli(['exists', '/Public/x'], { SRV_ASMX_TICKET: ticket, SRV_ASMX_PASSWORD: '' })).code).toBe(10);
  const logout = await cli(['logout', '--json'], { SRV_ASMX_TICKET: ticket, SRV_ASMX_PASSWORD: '' });
  expect(logout.code).toBe(0);
  expect(JSON.parse(logout.stdout)).toMatchObject({ ok: true, command: 'logout', alreadyExpired: false });
  expect((await cli(['exists', '/Public/x'], { SRV_ASMX_TICKET: ticket, SRV_ASMX_PASSWORD: '' })).code).toBe(3);
  const again = await cli(['logout'], { SRV_ASMX_TICKET: ticket, SRV_ASMX_PASSWORD: '' });
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/already expired or been logged out/);
  const none = await cli(['logout']);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/SRV_ASMX_TICKET/);
});

test.each([
  [['upload', 'only-one-argument'], 'upload'],
  [['exists', '/Public/x', '--retries', 'many'], 'exists'],
  [['upload', 'a', '/Public/a', '--bogus'], 'upload'],
  [['frobnicate'], ''],
])('a usage error %j is the error and where to look, not the whole help', async (args, command) => {
  const run = await cli(args);
  expect(run.code).toBe(2);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[1]).toBe(`see 'srv-asmx${command === '' ? '' : ` ${command}`} --help'`);
  expect(run.stderr).not.toMatch(/Options:/);
});

test('a usage error the command finds is one line and where to look too', async () => {
  const run = await cli(['exists', '/Public/x'], { SRV_ASMX_URL: '' });
  expect(run.code).toBe(2);
  expect(run.stderr).toBe("srv-asmx: missing --url <url> (or SRV_ASMX_URL)\nsee 'srv-asmx exists --help'\n");
});
