// Pacing (issue 22, part 5): rateLimit keeps a transfer's bytes to a rate, uploadMany's keeps all
// its uploads together to one, and maxCallsPerSecond spaces a session's requests. The bounds are
// generous: a 2 MiB transfer at 1 MiB a second must take at least 1.8 s (and not grossly more),
// and still carry the right bytes; requests at 10 a second come 100 ms apart on average.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { AbortError, SrvSession } from '../../src/index.js';
import { crc32, crcToHex } from '../../src/integrity/crc32.js';
import { Pace } from '../../src/util/pace.js';

const crc32Hex = (data: Buffer): string => crcToHex(crc32(data));

const CHUNK = 262_144;
const MIB = 1_048_576;

let emulator: RunningEmulator;
let session: SrvSession;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
  dir = await mkdtemp(join(tmpdir(), 'srv-pacing-'));
});
afterAll(async () => {
  await session.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  expect(emulator.state().uploadHandlers).toEqual([]);
  expect(emulator.state().downloadHandlers).toEqual([]);
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

test('an upload of 2 MiB at 1 MiB a second takes about 2 s, and stores the bytes', async () => {
  const content = randomBytes(2 * MIB);
  const { value, seconds } = await timed(() => session.upload(content, '/Public/paced-up.bin', { chunkSize: CHUNK, rateLimit: MIB }));
  expect(seconds).toBeGreaterThanOrEqual(1.8);
  expect(seconds).toBeLessThan(4);
  expect(value.crc32).toBe(crc32Hex(content));
  expect((await session.exists('/Public/paced-up.bin'))?.crc32LastVersion).toBe(crc32Hex(content));
});

test('a download of 2 MiB at 1 MiB a second takes about 2 s, and writes the bytes', async () => {
  const content = randomBytes(2 * MIB);
  await session.upload(content, '/Public/paced-down.bin', { chunkSize: CHUNK });
  const target = join(dir, 'paced-down.bin');
  const { seconds } = await timed(() => session.download('/Public/paced-down.bin', target, { chunkSize: CHUNK, rateLimit: MIB }));
  expect(seconds).toBeGreaterThanOrEqual(1.8);
  expect(seconds).toBeLessThan(4);
  expect((await readFile(target)).equals(content)).toBe(true);
});

test("uploadMany's rateLimit is shared: two 1 MiB files side by side at 1 MiB a second take about 2 s together", async () => {
  const files = [randomBytes(MIB), randomBytes(MIB)];
  const items = files.map((source, index) => ({ source, destination: `/Public/shared-${index}.bin`, options: { chunkSize: CHUNK } }));
  const { value, seconds } = await timed(() => session.uploadMany(items, { concurrency: 2, rateLimit: MIB }));
  expect(seconds).toBeGreaterThanOrEqual(1.8);
  expect(seconds).toBeLessThan(4);
  expect(value.map((outcome) => outcome.status === 'fulfilled' && outcome.value.crc32)).toEqual(files.map(crc32Hex));
});

test('a paced upload cancelled while it waits for its turn ends with AbortError, and its handler is deleted', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const upload = session.upload(randomBytes(2 * MIB), '/Public/paced-cancelled.bin', { chunkSize: CHUNK, rateLimit: CHUNK, signal: controller.signal });
  await expect(upload).rejects.toBeInstanceOf(AbortError);
  expect(await session.exists('/Public/paced-cancelled.bin')).toBeUndefined();
});

test('maxCallsPerSecond spaces every request evenly, calls made side by side included', async () => {
  const sent: number[] = [];
  const onRequest = () => void sent.push(performance.now());
  const paced = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', maxCallsPerSecond: 10, onRequest });
  try {
    await Promise.all(Array.from({ length: 5 }, (_, index) => paced.exists(`/Public/none-${index}.txt`)));
  } finally {
    await paced.close();
  }
  // The login, five lookups and the logout.
  expect(sent).toHaveLength(7);
  // Six spaces of 100 ms; a busy moment may send one a little late and the next on time.
  expect((sent[6] as number) - (sent[0] as number)).toBeGreaterThanOrEqual(0.95 * 600);
  const gaps = sent.slice(1).map((time, index) => time - (sent[index] as number));
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(50);
});

test('a rate that is not a positive number is refused, naming it, before anything is sent', async () => {
  for (const rateLimit of [0, -1, Number.NaN]) {
    await expect(session.upload(Buffer.alloc(10), '/Public/never.bin', { rateLimit })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'rateLimit' });
    await expect(session.download('/Public/paced-up.bin', join(dir, 'never.bin'), { rateLimit })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'rateLimit' });
    await expect(session.uploadMany([], { rateLimit })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'rateLimit' });
  }
  await expect(SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', maxCallsPerSecond: 0 })).rejects.toMatchObject({
    name: 'InvalidArgumentError',
    argument: 'maxCallsPerSecond',
  });
});

describe('the pace underneath (a token bucket that starts empty)', () => {
  test('units wait until they are paid for, in the order asked; a cancelled wait gives its units back', async () => {
    const pace = new Pace(1000, 0);
    const started = performance.now();
    const done: number[] = [];
    await Promise.all([100, 100].map((units, index) => pace.take(units).then(() => done.push(index))));
    expect(done).toEqual([0, 1]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    const cancelled = new AbortController();
    const waiting = pace.take(1000, cancelled.signal, 'upload');
    cancelled.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    // The 1000 units given back: the next 50 wait about 50 ms, not a second more.
    const before = performance.now();
    await pace.take(50);
    expect(performance.now() - before).toBeLessThan(500);
  });

  test('time left unused is saved up to the burst, no more', async () => {
    const pace = new Pace(1000, 100);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    await pace.take(100);
    expect(performance.now() - started).toBeLessThan(50);
    await pace.take(100);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });
});
