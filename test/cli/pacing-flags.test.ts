// Issue 22's flags on the command line: --bwlimit (upload, download, sync, which shares it among its
// files), --max-calls-per-second (every command that talks to a server) and --concurrency auto.
// Generous bounds: 2 MiB at 1M (1 MiB a second) takes at least 1.8 s, with the right bytes.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { crc32, crcToHex } from '../../src/integrity/crc32.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';

const MIB = 1_048_576;
let emulator: RunningEmulator;
let dir: string;
/** When the emulator finished each request, in ms. */
let answered: number[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ log: () => void answered.push(performance.now()) });
  dir = await mkdtemp(join(tmpdir(), 'srv-cli-pacing-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { env: { SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' } });
}

async function timed(args: string[]): Promise<{ run: CliRun; seconds: number }> {
  const started = performance.now();
  const run = await cli(args);
  return { run, seconds: (performance.now() - started) / 1000 };
}

test('upload and download --bwlimit 1M: 2 MiB take at least 1.8 s each way, and arrive whole', async () => {
  const content = randomBytes(2 * MIB);
  const file = join(dir, 'paced.bin');
  await writeFile(file, content);
  const up = await timed(['upload', file, '/Public/cli-paced.bin', '--chunk-size', '262144', '--bwlimit', '1M', '--json']);
  expect(up.run.code).toBe(0);
  expect(up.seconds).toBeGreaterThanOrEqual(1.8);
  expect(JSON.parse(up.run.stdout)).toMatchObject({ ok: true, crc32: crcToHex(crc32(content)) });
  const copy = join(dir, 'paced-copy.bin');
  const down = await timed(['download', '/Public/cli-paced.bin', copy, '--chunk-size', '262144', '--bwlimit', '1MiB', '--concurrency', 'auto']);
  expect(down.run.code).toBe(0);
  expect(down.seconds).toBeGreaterThanOrEqual(1.8);
  expect((await readFile(copy)).equals(content)).toBe(true);
});

test('sync --bwlimit 1024K shares the rate among its files: two of 1 MiB side by side take at least 1.8 s together', async () => {
  const tree = join(dir, 'tree');
  await mkdir(tree);
  await writeFile(join(tree, 'a.bin'), randomBytes(MIB));
  await writeFile(join(tree, 'b.bin'), randomBytes(MIB));
  const { run, seconds } = await timed(['sync', tree, '/Public/PacedSync', '--concurrency', '2', '--bwlimit', '1024K', '--json']);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, uploaded: [{ remotePath: '/Public/PacedSync/a.bin' }, { remotePath: '/Public/PacedSync/b.bin' }] });
  expect(seconds).toBeGreaterThanOrEqual(1.8);
});

test('--max-calls-per-second 5: the requests of a command come 200 ms apart', async () => {
  answered = [];
  const run = await cli(['exists', '/Public/cli-paced.bin', '--max-calls-per-second', '5']);
  expect(run.code).toBe(0);
  // The login, DocumentExists and the logout.
  expect(answered).toHaveLength(3);
  expect((answered[2] as number) - (answered[0] as number)).toBeGreaterThanOrEqual(0.95 * 400);
  const gaps = answered.slice(1).map((time, index) => time - (answered[index] as number));
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(100);
});

test.each([
  ['upload x /Public/x --bwlimit 10X', ['upload', 'x', '/Public/x', '--bwlimit', '10X'], /--bwlimit/],
  ['download /Public/x x --bwlimit 0', ['download', '/Public/x', 'x', '--bwlimit', '0'], /--bwlimit/],
  ['sync . /Public/x --bwlimit -1M', ['sync', '.', '/Public/x', '--bwlimit', '-1M'], /--bwlimit/],
  ['exists /Public/x --max-calls-per-second 0', ['exists', '/Public/x', '--max-calls-per-second', '0'], /--max-calls-per-second/],
  ['download /Public/x x --concurrency lots', ['download', '/Public/x', 'x', '--concurrency', 'lots'], /--concurrency/],
  ['download /Public/x x --concurrency 17', ['download', '/Public/x', 'x', '--concurrency', '17'], /concurrency/],
] as const)('%s is a usage error naming the flag', async (_name, args, pattern) => {
  const run = await cli([...args]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(pattern);
});
