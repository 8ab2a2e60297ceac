// One destination, one download at a time: a second run is refused before it removes or stages
// anything, and a download puts in place the very file it wrote and verified, or fails. Against the
// emulator, its chunk replies held back so that the runs overlap.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { InvalidArgumentError, LocalFileError, SrvSession } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
const CONTENT = randomBytes(6 * CHUNK + 99);
const PATH = '/Public/one-destination.bin';

let emulator: RunningEmulator;
let session: SrvSession;
let dir: string;
let target: string;

beforeAll(async () => {
  emulator = await startEmulator();
  session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
  await session.upload(CONTENT, PATH, { chunkSize: CHUNK });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'srv-one-destination-'));
  target = join(dir, 'doc.bin');
  emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 15 });
});
afterEach(async () => {
  emulator.faults.clear();
  expect(emulator.state().downloadHandlers).toEqual([]);
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.old`, { recursive: true, force: true });
});
afterAll(async () => {
  await session.close();
  await emulator.close();
});

const PART = '.doc.bin.srv-asmx.part';
const download = (options: { onProgress?: () => void } = {}) => session.download(PATH, target, { chunkSize: CHUNK, concurrency: 2, ...options });

test('two downloads started in the same moment: the second is refused naming the first process, the first delivers the document', async () => {
  for (let round = 0; round < 8; round += 1) {
    const outcomes = await Promise.allSettled([download(), download()]);
    expect(outcomes.filter(({ status }) => status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(refused?.reason).toMatchObject({ name: 'InvalidArgumentError', argument: 'destination' });
    expect((refused?.reason as Error).message).toMatch(new RegExp(`another process \\(${process.pid} on `));
    expect((await readFile(target)).equals(CONTENT)).toBe(true);
    expect(await readdir(dir)).toEqual(['doc.bin']);
    await rm(target);
  }
});

test('a lock left by a process that is gone is taken over', async () => {
  await writeFile(join(dir, `${PART}.lock`), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname() }));
  await download();
  expect((await readFile(target)).equals(CONTENT)).toBe(true);
  expect(await readdir(dir)).toEqual(['doc.bin']);
});

test('a lock naming a live process refuses the download before anything is removed', async () => {
  await writeFile(join(dir, `${PART}.lock`), JSON.stringify({ pid: process.ppid, host: hostname() }));
  await writeFile(join(dir, PART), 'theirs');
  const error = await download().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as Error).message).toMatch(new RegExp(`another process \\(${process.ppid} on `));
  expect(await readFile(join(dir, PART), 'utf8')).toBe('theirs');
});

test('its temporary file replaced by another mid-download: it fails with LocalFileError and puts nothing in place', async () => {
  let replaced = false;
  const error = await download({
    onProgress: () => {
      if (replaced) return;
      replaced = true;
      rmSync(join(dir, PART));
      writeFileSync(join(dir, PART), CONTENT.subarray(0, CHUNK));
    },
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LocalFileError);
  expect(error).toMatchObject({ path: target, message: expect.stringMatching(/replaced|removed/) });
  expect(existsSync(target)).toBe(false);
  expect((await readFile(join(dir, PART))).equals(CONTENT.subarray(0, CHUNK))).toBe(true);
});

test("the destination's directory swapped for another mid-download: it fails with LocalFileError, and neither directory gets a file", async () => {
  let swapped = false;
  const error = await download({
    onProgress: () => {
      if (swapped) return;
      swapped = true;
      renameSync(dir, `${dir}.old`);
      mkdirSync(dir);
      writeFileSync(join(dir, PART), CONTENT.subarray(0, CHUNK));
    },
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LocalFileError);
  expect(error).toMatchObject({ path: target, message: expect.stringMatching(/directory/) });
  expect(await readdir(dir)).toEqual([PART]);
  expect((await readFile(join(dir, PART))).equals(CONTENT.subarray(0, CHUNK))).toBe(true);
  expect(existsSync(join(`${dir}.old`, 'doc.bin'))).toBe(false);
});
