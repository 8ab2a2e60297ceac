// A download run again goes on with what an earlier run verified, when the new handler provably
// stages the same file: the kept bytes are read back against their CRC-32s, the rest is fetched,
// and nothing is left behind at the end. Against the emulator, watched through a counting proxy.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { copyFile, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { AbortError, SrvSession, type SessionWarning } from '../../src/index.js';
import { crc32, crcToHex } from '../../src/integrity/crc32.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { startWatchingProxy, type WatchingProxy } from '../helpers/watching-proxy.js';

const CHUNK = 262_144;
const CHUNKS = 16;
const PATH = '/Public/resume.bin';

let emulator: RunningEmulator;
let proxy: WatchingProxy;
let session: SrvSession;
let warnings: SessionWarning[];
let dir: string;
let target: string;
let content: Buffer;

async function publish(bytes: Buffer): Promise<void> {
  const uploader = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
  await uploader.upload(bytes, PATH, { chunkSize: CHUNK });
  await uploader.close();
}

beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startWatchingProxy(emulator.url);
});
beforeEach(async () => {
  content = randomBytes(CHUNKS * CHUNK - 4321);
  await publish(content);
  warnings = [];
  session = await SrvSession.login({ url: proxy.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (warning) => warnings.push(warning) });
  dir = await mkdtemp(join(tmpdir(), 'srv-resume-'));
  target = join(dir, 'doc.bin');
  proxy.reset();
  proxy.holdBack = () => 0;
  proxy.onRequest = () => undefined;
});
afterEach(async () => {
  await session.close();
  expect(emulator.state().downloadHandlers).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await proxy.close();
  await emulator.close();
});

const PART = '.doc.bin.srv-asmx.part';
const STATE = `${PART}.json`;
const notices = (pattern: RegExp) => warnings.filter((warning) => pattern.test(warning.message));

/** A download with resume, cancelled once the proxy has seen `chunks` chunk requests. */
async function interruptedAfter(chunks: number): Promise<void> {
  const controller = new AbortController();
  proxy.onRequest = () => proxy.offsets.length > chunks && controller.abort();
  await expect(session.download(PATH, target, { chunkSize: CHUNK, resume: true, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  proxy.onRequest = () => undefined;
}

test('a cancelled download keeps its verified ranges; run again, it fetches only the rest and leaves nothing behind', async () => {
  await interruptedAfter(8);
  expect((await readdir(dir)).sort()).toEqual([PART, STATE]);
  const state = await readFile(join(dir, STATE), 'utf8');
  expect(JSON.parse(state)).toMatchObject({ format: 'srv-asmx-download/1', staged: { path: PATH, size: content.length, chunkSize: CHUNK } });
  expect(JSON.parse(state)).not.toHaveProperty('owner');
  expect(state).not.toMatch(session.ticket as string);
  expect(state).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  proxy.reset();
  const result = await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(result.bytes).toBe(content.length);
  expect(proxy.offsets.length).toBeLessThanOrEqual(CHUNKS - 4);
  expect(notices(/going on from an earlier run/)).toHaveLength(1);
  expect(await readdir(dir)).toEqual(['doc.bin']);
});

test('a kept range whose bytes were damaged on disk is fetched again; the file is still the document', async () => {
  await interruptedAfter(8);
  const part = await open(join(dir, PART), 'r+');
  await part.write(Buffer.from([0xff, 0x00, 0xff]), 0, 3, CHUNK + 17);
  await part.close();
  proxy.reset();
  await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(proxy.offsets).toContain(CHUNK);
});

test('when the document changed in between, it starts over and gets the new one', async () => {
  await interruptedAfter(8);
  content = randomBytes(CHUNKS * CHUNK - 4321);
  await publish(content);
  proxy.reset();
  await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(proxy.offsets).toHaveLength(CHUNKS);
  expect(notices(/not provably of the same file/)).toHaveLength(1);
});

test('without resume, what an interrupted run left is removed, said once, and the download starts from zero', async () => {
  await interruptedAfter(8);
  proxy.reset();
  await session.download(PATH, target, { chunkSize: CHUNK });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(proxy.offsets).toHaveLength(CHUNKS);
  expect(notices(/removed what an earlier, interrupted download/)).toHaveLength(1);
  expect(await readdir(dir)).toEqual(['doc.bin']);
});

test('a run killed outright (its process gone, its state still naming it) is gone on with', async () => {
  await interruptedAfter(8);
  const state = JSON.parse(await readFile(join(dir, STATE), 'utf8')) as Record<string, unknown>;
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  await writeFile(join(dir, STATE), JSON.stringify({ ...state, owner: { pid: Number(dead), host: (await import('node:os')).hostname() } }));
  proxy.reset();
  await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(proxy.offsets.length).toBeLessThanOrEqual(CHUNKS - 4);
});

test('a second download to the same destination while the first runs is refused, naming the destination; the first completes', async () => {
  proxy.holdBack = () => 30;
  const first = session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await expect(session.download(PATH, target, { chunkSize: CHUNK, resume: true })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'destination', message: expect.stringMatching(/another process/) });
  await first;
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(await readdir(dir)).toEqual(['doc.bin']);
});

/** The kept temporary file made `extra` longer than the document, every byte of the document verified in the state, and `more` ranges recorded. */
async function keptPastTheEnd(extra: Buffer, more: readonly (readonly [number, number, string])[]): Promise<void> {
  await interruptedAfter(8);
  const state = JSON.parse(await readFile(join(dir, STATE), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, PART), Buffer.concat([content, extra]));
  await writeFile(join(dir, STATE), JSON.stringify({ ...state, ranges: [[0, content.length, crcToHex(crc32(content))], ...more] }));
  proxy.reset();
}

test("a kept temporary file with bytes past the document's end: the file delivered is exactly the document", async () => {
  await keptPastTheEnd(randomBytes(65_536), []);
  const result = await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  const delivered = await readFile(target);
  expect({ length: delivered.length, same: delivered.equals(content) }).toEqual({ length: content.length, same: true });
  expect(result).toMatchObject({ bytes: content.length, resumedBytes: content.length });
  expect(proxy.offsets).toEqual([]);
});

test("a range recorded past the document's end is never counted: nothing starts over", async () => {
  const extra = randomBytes(65_536);
  await keptPastTheEnd(extra, [[content.length, extra.length, crcToHex(crc32(extra))]]);
  const result = await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(result).toMatchObject({ restarts: 0, resumedBytes: content.length });
  expect(proxy.offsets).toEqual([]);
});

test('a run without resume records what it verifies, so that what it leaves when killed is gone on with', async () => {
  const snapshot = await mkdtemp(join(tmpdir(), 'srv-resume-snapshot-'));
  const controller = new AbortController();
  const onProgress = ({ chunks }: { chunks: number }) => {
    if (chunks < 8 || controller.signal.aborted) return;
    // What a run killed at this moment leaves.
    for (const name of [PART, STATE]) copyFileSync(join(dir, name), join(snapshot, name));
    controller.abort();
  };
  await expect(session.download(PATH, target, { chunkSize: CHUNK, signal: controller.signal, onProgress })).rejects.toBeInstanceOf(AbortError);
  expect(await readdir(dir)).toEqual([]);
  for (const name of [PART, STATE]) await copyFile(join(snapshot, name), join(dir, name));
  await rm(snapshot, { recursive: true });
  proxy.reset();
  const result = await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(result.resumedBytes).toBeGreaterThanOrEqual(8 * CHUNK);
  expect(proxy.offsets.length).toBeLessThanOrEqual(CHUNKS - 8);
  expect(await readdir(dir)).toEqual(['doc.bin']);
});

test('a state file that is not one is ignored: the download starts over', async () => {
  await interruptedAfter(8);
  await writeFile(join(dir, STATE), '{"format":"srv-asmx-download/1","ranges":[[0,"x"]]}');
  proxy.reset();
  await session.download(PATH, target, { chunkSize: CHUNK, resume: true });
  expect((await readFile(target)).equals(content)).toBe(true);
  expect(proxy.offsets).toHaveLength(CHUNKS);
});

test('resume with a stream destination is refused before anything is sent', async () => {
  await expect(session.download(PATH, new PassThrough(), { resume: true })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'resume' });
  expect(proxy.offsets).toEqual([]);
});
