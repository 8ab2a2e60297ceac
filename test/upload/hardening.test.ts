// Uploads a hostile test broke: a source rewritten while it is read, a corrupted append on a server
// without filehexcrc, a cancel after the finalize was sent, characters XML cannot carry, a FIFO,
// a stalled server.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  AbortError,
  ChecksumMismatchError,
  InvalidArgumentError,
  SourceChangedError,
  SrvSession,
  TimeoutError,
  type ExchangeRecord,
  type SessionWarning,
} from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
let emulator: RunningEmulator;
let dir: string;
let session: SrvSession;
let calls: string[];
let warnings: SessionWarning[];

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'srv-upload-hardening-'));
});
beforeEach(async () => {
  calls = [];
  warnings = [];
  session = await SrvSession.login({
    url: emulator.url,
    user: 'demo',
    password: 'demo',
    retry: FAST_RETRY,
    onExchange: (record: ExchangeRecord) => void calls.push(record.operation),
    onWarning: (warning) => void warnings.push(warning),
  });
  calls = [];
});
afterEach(async () => {
  emulator.faults.clear();
  await session.close();
  expect(emulator.state().uploadHandlers).toEqual([]);
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const exists = (path: string) => emulator.state().documents.some((d) => d.path === path);

describe('a source file that changes while it is read', () => {
  test('rewritten in place after chunk 3 of 8: SourceChangedError, nothing stored, handler deleted', async () => {
    const file = join(dir, 'torn.bin');
    writeFileSync(file, randomBytes(CHUNK * 8));
    const error = await session
      .upload(file, '/Public/torn.bin', { chunkSize: CHUNK, onProgress: (p) => p.chunks === 3 && p.bytes === CHUNK * 3 && writeFileSync(file, randomBytes(CHUNK * 8)) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceChangedError);
    expect((error as Error).message).toMatch(/torn\.bin changed while it was being read \(it was modified\)/);
    expect(exists('/Public/torn.bin')).toBe(false);
    expect(calls).toContain('DeleteUploadHandler');
    expect(calls.filter((op) => op.startsWith('UploadDocument'))).toEqual([]);
  });

  test('appended to: its size changed', async () => {
    const file = join(dir, 'growing.log');
    writeFileSync(file, randomBytes(CHUNK * 3));
    const error = await session.upload(file, '/Public/growing.log', { chunkSize: CHUNK, onProgress: (p) => p.chunks === 1 && appendFileSync(file, 'more') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceChangedError);
    expect((error as Error).message).toMatch(/its size went from 786432 to 786436 bytes/);
  });

  test("onSourceChange: 'restart' stores the new content whole", async () => {
    const file = join(dir, 'restarted.bin');
    const second = randomBytes(CHUNK * 4);
    writeFileSync(file, randomBytes(CHUNK * 4));
    let rewritten = false;
    const result = await session.upload(file, '/Public/restarted.bin', {
      chunkSize: CHUNK,
      onSourceChange: 'restart',
      onProgress: (p) => {
        if (p.chunks === 2 && !rewritten) {
          rewritten = true;
          writeFileSync(file, second);
        }
      },
    });
    expect(result.restarts).toBe(1);
    expect((await emulator.readDocument('/Public/restarted.bin')).equals(second)).toBe(true);
  });
});

describe('a server without filehexcrc', () => {
  let plain: RunningEmulator;
  let plainSession: SrvSession;
  beforeAll(async () => {
    plain = await startEmulator({ fileHexCrc: false });
  });
  beforeEach(async () => {
    plainSession = await SrvSession.login({ url: plain.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
  });
  afterEach(async () => {
    plain.faults.clear();
    await plainSession.close();
    expect(plain.state().uploadHandlers).toEqual([]);
  });
  afterAll(() => plain.close());

  test('a corrupted append is caught by the stored CRC-32 after the finalize, and the document is uploaded again', async () => {
    const source = randomBytes(CHUNK * 3 + 5);
    plain.faults.add({ op: 'UploadFileChunk', kind: 'corrupt', at: [2] });
    const result = await plainSession.upload(source, '/Public/corrupted.bin', { chunkSize: CHUNK });
    expect(result.restarts).toBe(1);
    expect((await plain.readDocument('/Public/corrupted.bin')).equals(source)).toBe(true);
    expect(warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/no version of \/Public\/corrupted\.bin stored since the upload began has the source's CRC-32 [0-9a-f]{8}; uploading it again/));
  });

  test('a corruption every time is never a success', async () => {
    plain.faults.add({ op: 'UploadFileChunk', kind: 'corrupt' });
    const error = await plainSession.upload(randomBytes(CHUNK + 1), '/Public/always-corrupted.bin', { chunkSize: CHUNK, maxRestarts: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
  });

  test('a new-only document that was stored wrong fails, since it cannot be uploaded as new again', async () => {
    plain.faults.add({ op: 'UploadFileChunk', kind: 'corrupt', at: [1] });
    const error = await plainSession.upload(randomBytes(1000), { folder: '/Public', name: 'new-corrupted.bin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toMatch(/no version of \/Public\/new-corrupted\.bin stored since the upload began has the source's CRC-32/);
  });
});

test('a cancel after the finalize was sent waits for its outcome: the document is stored, and its consumed handler is not deleted', async () => {
  emulator.faults.add({ op: 'UploadDocumentWithHandler', kind: 'latency', latencyMs: 400 });
  const controller = new AbortController();
  const source = randomBytes(CHUNK * 2);
  const result = await session.upload(source, '/Public/cancelled-late.bin', {
    chunkSize: CHUNK,
    signal: controller.signal,
    onProgress: (p) => p.chunks === 2 && setTimeout(() => controller.abort(), 100),
  });
  expect(controller.signal.aborted).toBe(true);
  expect(result).toMatchObject({ confirmation: 'finalize-reply', bytes: source.length });
  expect((await emulator.readDocument('/Public/cancelled-late.bin')).equals(source)).toBe(true);
  expect(calls).not.toContain('DeleteUploadHandler');
  expect(warnings.map((w) => w.message)).toContain('the upload of /Public/cancelled-late.bin was cancelled after its finalize was sent; the document was stored');
});

describe('every value is checked before the first call, naming the option', () => {
  test.each([
    ['a control character in the path', '/Public/a\u0001b.txt', {}, 'destination'],
    ['NUL in the path', '/Public/a\u0000b.txt', {}, 'destination'],
    ['a lone surrogate in the path', '/Public/a\uD800b.txt', {}, 'destination'],
    ['U+FFFF in the description', '/Public/ok.txt', { description: 'x\uFFFF' }, 'metadata.description'],
    ['a control character in a keyword', '/Public/ok.txt', { keywords: ['a\u0008'] }, 'metadata.keywords'],
    ['a control character in the comment', '/Public/ok.txt', { versionComment: '\u001b[31m' }, 'metadata.versionComment'],
  ])('%s', async (_what, path, metadata, argument) => {
    const error = await session.upload(randomBytes(CHUNK * 2), path, { chunkSize: CHUNK, metadata }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument, message: expect.stringMatching(/a character XML cannot carry/) });
    expect(calls).toEqual([]);
  });
});

test('a FIFO is refused before it is opened, which would wait forever for a writer', async () => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  await expect(session.upload(fifo, '/Public/pipe.bin')).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/is not a regular file/) });
});

describe('a stalled server', () => {
  test('fails at the idle limit, naming the operation and what it waited for', async () => {
    emulator.faults.add({ op: 'DocumentExists', kind: 'latency', latencyMs: 1_000 });
    const error = await session.exists('/Public/x.txt', { idleTimeoutMs: 150, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/^DocumentExists: nothing came for 150 ms for the reply \(the idle limit\)$/);
  });

  test('its retries share the one deadline of the call', async () => {
    emulator.faults.add({ op: 'DocumentExists', kind: 'latency', latencyMs: 1_000 });
    await expect(session.exists('/Public/x.txt', { idleTimeoutMs: 200, timeoutMs: 500 })).rejects.toBeInstanceOf(TimeoutError);
    // Six tries of 200 ms each would not fit in 500 ms.
    expect(calls.filter((op) => op === 'DocumentExists').length).toBeLessThanOrEqual(3);
  });
});

test('a login can be cancelled while it waits between retries', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const login = SrvSession.login({ url: 'http://127.0.0.1:9/srv.asmx', user: 'demo', password: 'demo', retry: { retries: 5, minDelayMs: 5_000, maxDelayMs: 5_000 }, signal: controller.signal });
  await expect(login).rejects.toBeInstanceOf(AbortError);
});
