// Uploads against the emulator over real HTTP: the stored document equals the source byte for
// byte, every fault of the emulator ends in success or a typed error, and no handler is left; against
// every server profile (test/helpers/profiles.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startEmulator, type FaultKind, type RunningEmulator } from '../../src/emulator/index.js';
import { AbortError, InvalidArgumentError, ServiceError, SrvError, SrvSession, type UploadOptions } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { PROFILES } from '../helpers/profiles.js';

const CHUNK = 262_144;

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  let session: SrvSession;
  let scratch: string;

  beforeAll(async () => {
    emulator = await startEmulator({ profile });
    session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
    scratch = await mkdtemp(join(tmpdir(), `srv-upload-${profile}-`));
  });
  afterEach(() => {
    emulator.faults.clear();
    expect(emulator.state().uploadHandlers).toEqual([]);
  });
  afterAll(async () => {
    await session.close();
    await emulator.close();
    await rm(scratch, { recursive: true, force: true });
  });

  let documentCount = 0;
  const nextPath = () => `/Public/upload-${++documentCount}.bin`;

  async function roundTrip(target: SrvSession, bytes: Buffer, source: Buffer | string | Readable, options: UploadOptions = {}) {
    const path = nextPath();
    const result = await target.upload(source, path, { chunkSize: CHUNK, ...options });
    expect((await emulator.readDocument(path)).equals(bytes)).toBe(true);
    return result;
  }

  describe.each(['1.1', '1.2'] as const)('round trips over SOAP %s', (soapVersion) => {
    let versioned: SrvSession;
    beforeAll(async () => {
      versioned = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', soapVersion, retry: FAST_RETRY });
    });
    afterAll(() => versioned.close());

    test.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, CHUNK * 5 + 3])('%i bytes from a Buffer', async (size) => {
      const bytes = randomBytes(size);
      const result = await roundTrip(versioned, bytes, bytes);
      expect(result).toMatchObject({ bytes: size, chunks: Math.max(1, Math.ceil(size / CHUNK)), retries: 0, restarts: 0 });
      expect(typeof result.documentId).toBe('number');
    });
  });

  test.each([0, CHUNK, CHUNK * 3 + 7])('%i bytes from a file and from a stream', async (size) => {
    const bytes = randomBytes(size);
    const file = join(scratch, `source-${size}.bin`);
    await writeFile(file, bytes);
    await roundTrip(session, bytes, file);
    // A stream that hands over odd-sized pieces.
    const pieces = Array.from({ length: Math.ceil(size / 100_003) }, (_, i) => bytes.subarray(i * 100_003, (i + 1) * 100_003));
    await roundTrip(session, bytes, Readable.from(pieces));
  });

  test('progress reports the bytes acknowledged, chunk by chunk', async () => {
    const bytes = randomBytes(CHUNK * 2 + 10);
    const seen: Array<[number, number]> = [];
    await roundTrip(session, bytes, bytes, { onProgress: (p) => seen.push([p.bytes, p.chunks]) });
    expect(seen).toEqual([[CHUNK, 1], [CHUNK * 2, 2], [CHUNK * 2 + 10, 3]]);
  });

  test('a second upload to the same path is a new version', async () => {
    const path = nextPath();
    const first = await session.upload(randomBytes(10), path);
    const second = await session.upload(randomBytes(20), path);
    expect(second.documentId).toBe(first.documentId);
    expect(second.versionId).not.toBe(first.versionId);
    expect(emulator.state().documents.find((d) => d.path === path)?.versions).toHaveLength(2);
  });

  describe('every fault kind at the first, a middle and the last chunk ends in an identical document', () => {
    // A server that never reports filehexcrc cannot show a corrupted append before the finalize, but
    // its stored CRC-32 (DocumentExists) shows it after: the client uploads again, so every kind,
    // corrupt included, ends in the source's bytes.
    const kinds: FaultKind[] = ['tryagain', 'dropReply', 'dropRequest', 'http500', 'systemError', 'expireTicket', 'latency', 'corrupt'];
    const cases = kinds.flatMap((kind) => [1, 3, 5].map((at) => [kind, at] as const));
    test.each(cases)('%s at chunk %i', async (kind, at) => {
      const bytes = randomBytes(CHUNK * 4 + 100);
      emulator.faults.add({ op: 'UploadFileChunk', kind, at: [at], latencyMs: 20 });
      const result = await roundTrip(session, bytes, bytes);
      expect(emulator.faults.injected().at(-1)).toMatchObject({ op: 'UploadFileChunk', kind });
      expect(result.retries + result.restarts).toBeGreaterThanOrEqual(kind === 'latency' ? 0 : 1);
    });

    test.each(['dropReply', 'dropRequest', 'http500', 'systemError', 'expireTicket'] as const)('%s at the finalize', async (kind) => {
      const bytes = randomBytes(CHUNK + 1);
      emulator.faults.add({ op: 'UploadDocumentWithHandler', kind, at: [1] });
      await roundTrip(session, bytes, bytes);
    });
  });

  // A handler whose grant was lost is unknown to the client; it is bound to the session, which
  // discards it when it ends. So these run in a session of their own, closed before the check.
  test.each(['dropReply', 'dropRequest', 'http500', 'systemError', 'expireTicket'] as const)('%s on CreateUploadHandler', async (kind) => {
    const own = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
    emulator.faults.add({ op: 'CreateUploadHandler', kind, at: [1] });
    const bytes = randomBytes(CHUNK + 5);
    await roundTrip(own, bytes, bytes);
    await own.close();
  });

  describe('against a server that never reports filehexcrc', () => {
    let plain: RunningEmulator;
    let plainSession: SrvSession;
    beforeAll(async () => {
      plain = await startEmulator({ profile, fileHexCrc: false });
      plainSession = await SrvSession.login({ url: plain.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
    });
    afterAll(async () => {
      await plainSession.close();
      await plain.close();
    });

    test.each(['dropReply', 'http500', 'systemError'] as const)('%s mid-file: the upload starts over rather than finalize unproven bytes', async (kind) => {
      const bytes = randomBytes(CHUNK * 3);
      plain.faults.add({ op: 'UploadFileChunk', kind, at: [2] });
      const path = nextPath();
      const result = await plainSession.upload(bytes, path, { chunkSize: CHUNK });
      expect(result.restarts).toBe(1);
      expect((await plain.readDocument(path)).equals(bytes)).toBe(true);
      expect(plain.state().uploadHandlers).toEqual([]);
    });
  });

  describe('cancellation', () => {
    test('aborting mid-upload deletes the handler and stores nothing', async () => {
      const controller = new AbortController();
      const path = nextPath();
      const upload = session.upload(randomBytes(CHUNK * 6), path, {
        chunkSize: CHUNK,
        signal: controller.signal,
        onProgress: (p) => p.chunks === 2 && controller.abort(),
      });
      await expect(upload).rejects.toBeInstanceOf(AbortError);
      expect(emulator.state().documents.some((d) => d.path === path)).toBe(false);
    });

    test('aborting while a chunk is in flight', async () => {
      emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', at: [2], latencyMs: 2_000 });
      const upload = session.upload(randomBytes(CHUNK * 3), nextPath(), { chunkSize: CHUNK, signal: AbortSignal.timeout(300) });
      await expect(upload).rejects.toBeInstanceOf(AbortError);
      await new Promise((r) => setTimeout(r, 50));
    });
  });

  describe('destinations and metadata choose the finalizer', () => {
    const versionOf = (path: string) => emulator.state().documents.find((d) => d.path === path)?.versions.at(-1);

    test('a version comment (UploadDocumentWithHandler1)', async () => {
      const path = nextPath();
      await session.upload(randomBytes(5), path, { metadata: { versionComment: 'first & <best>' } });
      expect(versionOf(path)?.comment).toBe('first & <best>');
    });

    test('a manual version (UploadDocumentWithHandler2)', async () => {
      const path = nextPath();
      await session.upload(randomBytes(5), path, { metadata: { version: { major: 2, minor: 0, revision: 1 }, versionComment: 'v2' } });
      expect(versionOf(path)).toMatchObject({ label: '2.0.1', comment: 'v2' });
    });

    test('descriptive metadata (UploadDocumentWithHandler3, xmlParameters)', async () => {
      const path = nextPath();
      await session.upload(randomBytes(5), path, {
        metadata: { description: 'Q3 "final" <draft> & more', keywords: ['finance', 'quarterly report'], publish: 'DontPublish', checkout: true, creationDate: '2024-01-31' },
      });
      expect(versionOf(path)?.parameters).toMatchObject({
        DESCRIPTION: 'Q3 "final" <draft> & more',
        KEYWORDS: 'finance,quarterly report',
        PUBLISHOPTION: 'DontPublish',
        CHECKOUT: 'true',
        CREATIONDATE: '2024-01-31',
      });
    });

    test('{ folder, name } creates a new document, and refuses an existing name without leaving a handler', async () => {
      const name = `new-${Date.now()}.txt`;
      const first = await session.upload(Buffer.from('one'), { folder: '/Public', name });
      expect(typeof first.documentId).toBe('number');
      const error = await session.upload(Buffer.from('two'), { folder: '/Public', name }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((await emulator.readDocument(`/Public/${name}`)).toString()).toBe('one');
    });
  });

  describe('bad input is refused before anything is sent', () => {
    test.each([
      ['a chunk size below the minimum', { chunkSize: 1000 }, /chunkSize/],
      ['keywords with commas', { metadata: { keywords: ['a,b'] } }, /metadata.keywords/],
      ['a manual version out of range', { metadata: { version: { major: 0, minor: 0, revision: 0 } } }, /metadata.version.major/],
      ['an impossible date', { metadata: { creationDate: '31/01/2024' } }, /metadata.creationDate/],
      ['an unknown publish option', { metadata: { publish: 'Maybe' } }, /metadata.publish/],
    ])('%s', async (_what, options, message) => {
      await expect(session.upload(Buffer.from('x'), nextPath(), options as UploadOptions)).rejects.toThrow(message);
    });

    test.each([
      ['a missing file', join(tmpdir(), 'does-not-exist.bin'), '/Public/x.bin', /source cannot be read/],
      ['a directory', tmpdir(), '/Public/x.bin', /not a regular file/],
      ['a path without a folder', Buffer.from('x'), 'x.bin', /destination/],
      ['a path ending in a slash', Buffer.from('x'), '/Public/', /destination/],
      ['a name with a slash', Buffer.from('x'), { folder: '/Public', name: 'a/b' }, /destination.name/],
    ])('%s', async (_what, source, destination, message) => {
      const error = await session.upload(source, destination).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as SrvError).message).toMatch(message);
    });
  });

  test('uploadMany: files in parallel up to the limit, each one in order, one outcome per item', async () => {
    const files = Array.from({ length: 6 }, () => randomBytes(CHUNK * 2 + 17));
    const paths = files.map(() => nextPath());
    let peak = 0;
    const sample = () => (peak = Math.max(peak, emulator.state().uploadHandlers.length));
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 20 });
    const items = files.map((bytes, i) => ({ source: bytes, destination: paths[i] as string, options: { chunkSize: CHUNK, onProgress: sample } }));
    const outcomes = await session.uploadMany([...items, { source: Buffer.from('x'), destination: 'no-folder' }], { concurrency: 2 });
    expect(outcomes.slice(0, 6).map((o) => o.status)).toEqual(Array(6).fill('fulfilled'));
    expect(outcomes[6]).toMatchObject({ status: 'rejected', reason: expect.any(InvalidArgumentError) });
    expect(peak).toBe(2);
    for (const [i, path] of paths.entries()) expect((await emulator.readDocument(path)).equals(files[i] as Buffer)).toBe(true);
  });
});
