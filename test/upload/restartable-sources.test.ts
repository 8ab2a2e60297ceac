// A stream source that can start over: a function that opens a fresh stream for each attempt, or a
// one-shot stream spooled to a temporary file first. Against a server without filehexcrc, one
// lost chunk reply restarts the upload, which a plain stream cannot do.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
const source = randomBytes(CHUNK * 3 + 7);
let emulator: RunningEmulator;
let session: SrvSession;

beforeAll(async () => {
  emulator = await startEmulator({ fileHexCrc: false });
  session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
});
afterEach(() => {
  emulator.faults.clear();
  expect(emulator.state().uploadHandlers).toEqual([]);
});
afterAll(async () => {
  await session.close();
  await emulator.close();
});

/** The source in pieces of 100 000 bytes, as a network stream would hand them over. */
const streamOf = (bytes: Buffer) => Readable.from((function* () {
  for (let at = 0; at < bytes.length; at += 100_000) yield bytes.subarray(at, at + 100_000);
})());

const spools = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('srv-asmx-spool-'));

test('a plain stream cannot start over: the upload fails with the typed cause', async () => {
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [2] });
  await expect(session.upload(streamOf(source), '/Public/plain-stream.bin', { chunkSize: CHUNK })).rejects.toMatchObject({ name: 'TransportError' });
});

test('a function that opens a fresh stream is called again for the restart', async () => {
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [2] });
  let opened = 0;
  const result = await session.upload(() => (opened++, streamOf(source)), '/Public/factory.bin', { chunkSize: CHUNK });
  expect(opened).toBe(2);
  expect(result).toMatchObject({ restarts: 1, bytes: source.length });
  expect((await emulator.readDocument('/Public/factory.bin')).equals(source)).toBe(true);
});

test('spool: a one-shot stream is read again from its temporary file, which is removed after', async () => {
  const before = await spools();
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [2] });
  const result = await session.upload(streamOf(source), '/Public/spooled.bin', { chunkSize: CHUNK, spool: true });
  expect(result).toMatchObject({ restarts: 1, bytes: source.length });
  expect((await emulator.readDocument('/Public/spooled.bin')).equals(source)).toBe(true);
  expect(await spools()).toEqual(before);
});

test('spool: a cancel while the stream is still being spooled stops it at once, with an AbortError and no temporary file left', async () => {
  const before = await spools();
  const endless = new Readable({ read: () => undefined });
  endless.push(randomBytes(100_000));
  const controller = new AbortController();
  const uploading = session.upload(endless, '/Public/never-spooled.bin', { chunkSize: CHUNK, spool: true, signal: controller.signal });
  setTimeout(() => controller.abort(new Error('stop')), 100);
  await expect(uploading).rejects.toMatchObject({ name: 'AbortError' });
  expect(await spools()).toEqual(before);
  expect(endless.destroyed).toBe(true);
}, 5_000);

/** Resolves once the emulator has received an UploadFileChunk (seen through a latency rule of 0 ms), failing after 5 s. */
async function firstChunkArrived(): Promise<void> {
  const started = Date.now();
  while (!emulator.faults.injected().some((fault) => fault.op === 'UploadFileChunk' && fault.kind === 'latency')) {
    if (Date.now() - started > 5_000) throw new Error('no UploadFileChunk reached the emulator before the stream ended');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A one-shot stream that sends two chunks, and the rest only once the first chunk has reached the emulator. */
function slowStream(bytes: Buffer): Readable {
  const stream = new Readable({ read: () => undefined });
  stream.push(bytes.subarray(0, CHUNK * 2));
  void firstChunkArrived().then(
    () => {
      stream.push(bytes.subarray(CHUNK * 2));
      stream.push(null);
    },
    (error: Error) => stream.destroy(error),
  );
  return stream;
}

test('spool: the stream is sent as it arrives, not read whole first, and a restart still stores the exact bytes', async () => {
  const before = await spools();
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 0 });
  const streamed = await session.upload(slowStream(source), '/Public/tee.bin', { chunkSize: CHUNK, spool: true });
  expect(streamed).toMatchObject({ restarts: 0, bytes: source.length });
  expect((await emulator.readDocument('/Public/tee.bin')).equals(source)).toBe(true);

  emulator.faults.clear();
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 0 });
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [2] });
  const restarted = await session.upload(slowStream(source), '/Public/tee-restarted.bin', { chunkSize: CHUNK, spool: true });
  expect(restarted).toMatchObject({ restarts: 1, bytes: source.length });
  expect((await emulator.readDocument('/Public/tee-restarted.bin')).equals(source)).toBe(true);
  expect(await spools()).toEqual(before);
});
