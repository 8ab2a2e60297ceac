// Cancelling with real signals where cleanup used to wait or be skipped: while `upload -` still
// reads standard input.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startCli } from '../helpers/run-cli.js';

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
