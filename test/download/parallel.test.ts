// Several chunks of one handler in flight at once: the document still arrives byte for byte, a
// stream still gets it in order through a bounded window, a bad chunk is asked for again alone,
// and a server that cannot serve overlapping reads, or sends short chunks, is read one chunk at a
// time (short chunks: download.test.ts). Against the emulator, watched through a proxy that counts
// the reads in flight.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { AbortError, AUTO_MAX_CONCURRENCY, AUTO_START_CONCURRENCY, SrvSession, type SessionWarning } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { startWatchingProxy, type WatchingProxy } from '../helpers/watching-proxy.js';

const CHUNK = 262_144;
const CHUNKS = 12;
const CONTENT = randomBytes(CHUNKS * CHUNK - 1000);
const PATH = '/Public/parallel.bin';

let emulator: RunningEmulator;
let proxy: WatchingProxy;
let session: SrvSession;
let warnings: SessionWarning[];
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startWatchingProxy(emulator.url);
  const uploader = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
  await uploader.upload(CONTENT, PATH, { chunkSize: CHUNK });
  await uploader.close();
});
beforeEach(async () => {
  warnings = [];
  session = await SrvSession.login({ url: proxy.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (warning) => warnings.push(warning) });
  dir = await mkdtemp(join(tmpdir(), 'srv-parallel-'));
  proxy.reset();
  proxy.holdBack = () => 20;
  proxy.onRequest = () => undefined;
});
afterEach(async () => {
  emulator.faults.clear();
  await session.close();
  expect(emulator.state().downloadHandlers).toEqual([]);
  expect(await readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.part$/)]));
  await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await proxy.close();
  await emulator.close();
});

const everyOffset = Array.from({ length: CHUNKS }, (_, index) => index * CHUNK);
const sorted = (offsets: number[]) => [...offsets].sort((a, b) => a - b);

/** A Writable that records what it gets, slowly: each write takes `ms`. */
function slowStream(ms: number): Writable & { received: Buffer[]; bytes: () => number } {
  const received: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(Buffer.from(chunk));
      setTimeout(callback, ms);
    },
  });
  return Object.assign(stream, { received, bytes: () => received.reduce((sum, part) => sum + part.length, 0) });
}

test('by default several chunks are in flight at once, more as they pay, each asked for once, and the file is the document byte for byte', async () => {
  const target = join(dir, 'a.bin');
  const result = await session.download(PATH, target, { chunkSize: CHUNK });
  expect((await readFile(target)).equals(CONTENT)).toBe(true);
  expect(proxy.maxInFlight).toBeGreaterThan(AUTO_START_CONCURRENCY);
  expect(proxy.maxInFlight).toBeLessThanOrEqual(AUTO_MAX_CONCURRENCY);
  expect(sorted(proxy.offsets)).toEqual(everyOffset);
  expect(result).toMatchObject({ bytes: CONTENT.length, chunks: CHUNKS, retries: 0 });
});

test.each([1, 2, 7])('concurrency %i has at most that many in flight', async (concurrency) => {
  const target = join(dir, 'b.bin');
  await session.download(PATH, target, { chunkSize: CHUNK, concurrency });
  expect((await readFile(target)).equals(CONTENT)).toBe(true);
  expect(proxy.maxInFlight).toBe(concurrency);
  if (concurrency === 1) expect(proxy.offsets).toEqual(everyOffset);
});

test('replies that come back in another order: a file gets every chunk at its place', async () => {
  proxy.holdBack = (offset) => 80 - ((offset / CHUNK) % 4) * 25;
  const target = join(dir, 'c.bin');
  await session.download(PATH, target, { chunkSize: CHUNK });
  expect((await readFile(target)).equals(CONTENT)).toBe(true);
});

test('a stream gets the chunks in offset order, and no read starts more chunks past what it was given than may be in flight', async () => {
  proxy.holdBack = (offset) => 80 - ((offset / CHUNK) % 4) * 25;
  const stream = slowStream(15);
  const ahead: number[] = [];
  proxy.onRequest = (offset) => ahead.push(offset - stream.bytes());
  await session.download(PATH, stream, { chunkSize: CHUNK });
  expect(Buffer.concat(stream.received).equals(CONTENT)).toBe(true);
  expect(Math.max(...ahead)).toBeLessThan(AUTO_MAX_CONCURRENCY * CHUNK);
  expect(proxy.maxInFlight).toBeGreaterThan(1);
});

test('a chunk that fails its CRC-32 is asked for again alone; the others once', async () => {
  emulator.faults.add({ op: 'DownloadFileChunk', kind: 'corrupt', at: [3] });
  const target = join(dir, 'd.bin');
  const result = await session.download(PATH, target, { chunkSize: CHUNK });
  expect((await readFile(target)).equals(CONTENT)).toBe(true);
  expect(proxy.offsets).toHaveLength(CHUNKS + 1);
  expect(new Set(proxy.offsets).size).toBe(CHUNKS);
  expect(result.retries).toBe(1);
});

test('a handler lost with reads in flight: a new one provably stages the same file, and what was verified is kept', async () => {
  emulator.faults.add({ op: 'DownloadFileChunk', kind: 'expireTicket', at: [6] });
  const target = join(dir, 'e.bin');
  const result = await session.download(PATH, target, { chunkSize: CHUNK });
  expect((await readFile(target)).equals(CONTENT)).toBe(true);
  expect(result.restarts).toBe(1);
  // Chunks verified before the loss are not fetched again.
  expect(proxy.offsets.length).toBeLessThan(2 * CHUNKS);
  expect(proxy.offsets.length).toBeGreaterThanOrEqual(CHUNKS + 1);
});

test('cancelling with reads in flight ends them all with AbortError; the handler is deleted and no file is left', async () => {
  proxy.holdBack = () => 100;
  const controller = new AbortController();
  proxy.onRequest = (offset) => offset >= 4 * CHUNK && controller.abort();
  const target = join(dir, 'f.bin');
  await expect(session.download(PATH, target, { chunkSize: CHUNK, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  expect(await readdir(dir)).toEqual([]);
});

test('bad concurrency is refused, naming it, before anything is sent', async () => {
  for (const concurrency of [0, 17, 1.5, Number.NaN]) {
    await expect(session.download(PATH, join(dir, 'g.bin'), { concurrency })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'concurrency' });
  }
  expect(proxy.offsets).toEqual([]);
});

describe('a server that cannot serve overlapping reads of one handler', () => {
  let refusing: RunningEmulator;
  beforeAll(async () => {
    refusing = await startEmulator({ concurrentChunkReads: 'refuse', faults: [{ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 30 }] });
    const uploader = await SrvSession.login({ url: refusing.url, user: 'demo', password: 'demo' });
    await uploader.upload(CONTENT, PATH, { chunkSize: CHUNK });
    await uploader.close();
  });
  afterAll(() => refusing.close());

  test('is detected: the download goes on one chunk at a time, says so once, and the session’s next download starts that way', async () => {
    const watched = await startWatchingProxy(refusing.url);
    const own = await SrvSession.login({ url: watched.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (warning) => warnings.push(warning) });
    try {
      const first = join(dir, 'h.bin');
      await own.download(PATH, first, { chunkSize: CHUNK });
      expect((await readFile(first)).equals(CONTENT)).toBe(true);
      expect(warnings.filter((warning) => /one at a time/.test(warning.message))).toHaveLength(1);
      watched.reset();
      const second = join(dir, 'i.bin');
      await own.download(PATH, second, { chunkSize: CHUNK });
      expect((await readFile(second)).equals(CONTENT)).toBe(true);
      expect(watched.maxInFlight).toBe(1);
      expect(watched.offsets).toEqual(everyOffset);
    } finally {
      await own.close();
      await watched.close();
    }
    expect(refusing.state().downloadHandlers).toEqual([]);
  });
});
