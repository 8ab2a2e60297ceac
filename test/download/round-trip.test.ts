// Upload, then download, through the session against the emulator: the bytes that come back are
// the source's, whatever fault the emulator injects; no handler and no stray file is left. Against
// every server profile (test/helpers/profiles.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type FaultKind, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvError, SrvSession } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { PROFILES } from '../helpers/profiles.js';

const CHUNK = 262_144;

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  let session: SrvSession;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEmulator({ profile });
    session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
    dir = await mkdtemp(join(tmpdir(), `srv-round-trip-${profile}-`));
  });
  afterEach(async () => {
    emulator.faults.clear();
    const state = emulator.state();
    expect(state.uploadHandlers).toEqual([]);
    expect(state.downloadHandlers).toEqual([]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });
  afterAll(async () => {
    await session.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  let count = 0;
  const nextName = () => `round-trip-${++count}.bin`;

  describe.each(['1.1', '1.2'] as const)('SOAP %s', (soapVersion) => {
    let versioned: SrvSession;
    beforeAll(async () => {
      versioned = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', soapVersion, retry: FAST_RETRY });
    });
    afterAll(() => versioned.close());

    test.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, CHUNK * 5 + 3])('%i bytes come back byte for byte', async (size) => {
      const source = randomBytes(size);
      const name = nextName();
      const uploaded = await versioned.upload(source, `/Public/${name}`, { chunkSize: CHUNK });
      const target = join(dir, name);
      const downloaded = await versioned.download(`/Public/${name}`, target, { chunkSize: CHUNK });
      expect((await readFile(target)).equals(source)).toBe(true);
      expect(downloaded).toMatchObject({ bytes: size, crc32: uploaded.crc32, chunks: Math.ceil(size / CHUNK) });
    });
  });

  // The default 4 MiB chunk is about 5.6 MB as base64 in SOAP: over a classic ASMX server's 4096 KB
  // maxRequestLength, which answers "Maximum request length exceeded." rather than 413.
  test('6 MiB with the default chunk sizes come back byte for byte', async () => {
    const source = randomBytes(6 * 1_048_576);
    const name = nextName();
    const uploaded = await session.upload(source, `/Public/${name}`);
    expect((await emulator.readDocument(`/Public/${name}`)).equals(source)).toBe(true);
    const target = join(dir, name);
    const downloaded = await session.download(`/Public/${name}`, target);
    expect((await readFile(target)).equals(source)).toBe(true);
    expect(downloaded).toMatchObject({ bytes: source.length, crc32: uploaded.crc32 });
  });

  describe('every fault kind at the first, a middle and the last chunk of a download', () => {
    const source = randomBytes(CHUNK * 4 + 100);
    const path = '/Public/faulty-download.bin';
    beforeAll(() => session.upload(source, path, { chunkSize: CHUNK }));

    const kinds: FaultKind[] = ['dropReply', 'dropRequest', 'http500', 'systemError', 'expireTicket', 'latency', 'corrupt'];
    const cases = kinds.flatMap((kind) => [1, 3, 5].map((at) => [kind, at] as const));
    test.each(cases)('%s at chunk %i', async (kind, at) => {
      emulator.faults.add({ op: 'DownloadFileChunk', kind, at: [at], latencyMs: 20 });
      const target = join(dir, nextName());
      const result = await session.download(path, target, { chunkSize: CHUNK });
      expect((await readFile(target)).equals(source)).toBe(true);
      expect(emulator.faults.injected().at(-1)).toMatchObject({ op: 'DownloadFileChunk', kind });
      if (kind !== 'latency') expect(result.retries + result.restarts).toBeGreaterThanOrEqual(1);
    });

    // A handler whose grant was lost is unknown to the client; it is bound to the session, which
    // discards it when it ends. So these run in a session of their own, closed before the check.
    test.each(['dropReply', 'dropRequest', 'http500', 'systemError', 'expireTicket'] as const)('%s on GetDownloadHandler', async (kind) => {
      const own = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
      emulator.faults.add({ op: 'GetDownloadHandler', kind, at: [1] });
      const target = join(dir, nextName());
      const result = await own.download(path, target, { chunkSize: CHUNK });
      await own.close();
      expect((await readFile(target)).equals(source)).toBe(true);
      expect(result.retries + result.restarts).toBeGreaterThanOrEqual(kind === 'expireTicket' ? 0 : 1);
    });

    test('a fault on every chunk call ends in a typed error, with no file and no handler left', async () => {
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'http500' });
      const target = join(dir, nextName());
      const error = await session.download(path, target, { chunkSize: CHUNK }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SrvError);
      await expect(readFile(target)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
});
