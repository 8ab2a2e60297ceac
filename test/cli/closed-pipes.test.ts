// A reader that goes away: a closed stdout cancels a download to `-` as a signal would (the handler
// deleted, the session logged out, exit 141); a closed stderr only loses messages, never the
// transfer or its exit code.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, startCli } from '../helpers/run-cli.js';

const CHUNK = '262144';
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'srv-cli-pipes-'));
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' });
const handlersLeft = () => emulator.state().uploadHandlers.length + emulator.state().downloadHandlers.length;

test('download to - whose reader goes away after the first bytes: cancelled, handler deleted, logged out, exit 141', async () => {
  const source = join(dir, 'piped.bin');
  await writeFile(source, randomBytes(262_144 * 8));
  expect((await runCli(['upload', source, '/Public/piped.bin'], { env: env() })).code).toBe(0);
  const tickets = emulator.state().tickets;
  emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 200 });
  const cli = startCli(['download', '/Public/piped.bin', '-', '--chunk-size', CHUNK, '--concurrency', '1'], env());
  cli.child.stdout.once('data', () => cli.child.stdout.destroy());
  const run = await cli.done;
  expect(run.code).toBe(141);
  expect(run.stderr).toMatch(/standard output was closed: cancelling/);
  expect(handlersLeft()).toBe(0);
  expect(emulator.state().tickets).toBe(tickets);
});

test('an upload whose stderr is closed from the start goes on: stored, no handler left, logged out, exit 0', async () => {
  const file = join(dir, 'quiet.bin');
  const bytes = randomBytes(262_144 * 6);
  await writeFile(file, bytes);
  const tickets = emulator.state().tickets;
  // Slow enough for plain progress lines (every 2 s) to meet the closed pipe too.
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 500 });
  const cli = startCli(['upload', file, '/Public/quiet.bin', '--chunk-size', CHUNK], env());
  cli.child.stderr.destroy();
  const run = await cli.done;
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^uploaded .*quiet\.bin to \/Public\/quiet\.bin/);
  expect((await emulator.readDocument('/Public/quiet.bin')).equals(bytes)).toBe(true);
  expect(handlersLeft()).toBe(0);
  expect(emulator.state().tickets).toBe(tickets);
});

test('a failure whose messages meet a closed stderr keeps its exit code', async () => {
  const cli = startCli(['download', '/Public/no-such.bin', join(dir, 'no-such.bin')], env());
  cli.child.stderr.destroy();
  expect((await cli.done).code).toBe(1);
});
