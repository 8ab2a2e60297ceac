// Cancelling with real signals where cleanup used to wait or be skipped: while `upload -` still
// reads standard input, a second signal during a slow network cleanup (the local cleanup happens
// even then), and `sync`, which exits 128 + the signal like every command.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, startCli, type StartedCli } from '../helpers/run-cli.js';

const CHUNK = '262144';
/** Longer than any test waits: a cleanup call this slow is only ever cut short. */
const SLOW_CLEANUP_MS = 6_000;
let emulator: RunningEmulator;
let dir: string;
/** The TMPDIR of the command, where `upload -` spools standard input. */
let spoolDir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'srv-cli-cancel-'));
});
beforeEach(async () => {
  spoolDir = await mkdtemp(join(dir, 'tmp-'));
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo', TMPDIR: spoolDir });
const handlersLeft = () => emulator.state().uploadHandlers.length + emulator.state().downloadHandlers.length;

/** Sends `signal`, waits until it is heard, then sends it again as a second request to stop. */
async function signalTwice(cli: StartedCli, signal: NodeJS.Signals): Promise<void> {
  cli.child.kill(signal);
  await cli.stderrShows(/cancelling/);
  await delay(700);
  cli.child.kill(signal);
}

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s while `upload -` still reads standard input: exit %i at once, nothing spooled left, logged out', async (signal, code) => {
  const tickets = emulator.state().tickets;
  const cli = startCli(['upload', '-', '/Public/never-ends.bin'], env());
  cli.child.stdin.write(randomBytes(100_000));
  await cli.stderrShows(/uploading standard input/);
  await delay(300);
  const sent = performance.now();
  cli.child.kill(signal);
  const run = await cli.done;
  expect(performance.now() - sent).toBeLessThan(5_000);
  expect(run.code).toBe(code);
  expect(await readdir(spoolDir)).toEqual([]);
  expect(emulator.state().tickets).toBe(tickets);
  expect(handlersLeft()).toBe(0);
});

test('a second Ctrl-C during a slow cleanup quits at once, and still removes the .part and .part.json of a download without --resume', async () => {
  const source = join(dir, 'slow-cleanup.bin');
  await writeFile(source, randomBytes(262_144 * 8));
  expect((await runCli(['upload', source, '/Public/slow-cleanup.bin'], { env: env() })).code).toBe(0);
  emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 300 });
  emulator.faults.add({ op: 'DeleteDownloadHandler', kind: 'latency', latencyMs: SLOW_CLEANUP_MS });
  const downloads = await mkdtemp(join(dir, 'downloads-'));
  const target = join(downloads, 'slow-cleanup.bin');
  const cli = startCli(['download', '/Public/slow-cleanup.bin', target, '--chunk-size', CHUNK, '--concurrency', '1'], env());
  await cli.stderrShows(/downloading/);
  await delay(800);
  expect((await readdir(downloads)).some((name) => name.endsWith('.part'))).toBe(true);
  await signalTwice(cli, 'SIGINT');
  const second = performance.now();
  const run = await cli.done;
  expect(performance.now() - second).toBeLessThan(3_000);
  expect(run.code).toBe(130);
  expect(await readdir(downloads)).toEqual([]);
  expect(existsSync(target)).toBe(false);
});

test('a second Ctrl-C during a slow cleanup of `upload -` still removes the spooled input', async () => {
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 300 });
  emulator.faults.add({ op: 'DeleteUploadHandler', kind: 'latency', latencyMs: SLOW_CLEANUP_MS });
  const cli = startCli(['upload', '-', '/Public/spooled-then-killed.bin', '--chunk-size', CHUNK], env());
  cli.child.stdin.end(randomBytes(262_144 * 6));
  await cli.stderrShows(/uploading standard input/);
  await delay(1_000);
  expect((await readdir(spoolDir)).some((name) => name.startsWith('srv-asmx-spool-'))).toBe(true);
  await signalTwice(cli, 'SIGINT');
  const second = performance.now();
  const run = await cli.done;
  expect(performance.now() - second).toBeLessThan(3_000);
  expect(run.code).toBe(130);
  expect(await readdir(spoolDir)).toEqual([]);
});

test.each([
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('sync cancelled by %s exits %i, its handlers deleted', async (signal, code) => {
  const tree = join(dir, `sync-${signal}`);
  await mkdir(tree);
  for (const name of ['a', 'b', 'c', 'd']) await writeFile(join(tree, `${name}.bin`), randomBytes(100_000));
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 2_000 });
  const run = await runCli(['sync', tree, `/Public/Sync${signal}`], { env: env(), interruptWhen: /upload \(new\)/, interruptDelayMs: 500, interruptSignal: signal });
  expect(run.code).toBe(code);
  expect(handlersLeft()).toBe(0);
});
