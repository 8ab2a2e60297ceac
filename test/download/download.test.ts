// download() against a scripted service: every chunk and the whole file verified, a lost handler
// or a bad file replaced by a new handler, the destination written only when all of it is right,
// and every handler deleted whatever happens.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import '../helpers/nock.js';
import type { DownloadOptions } from '../../src/transfers/download/download.js';
import type { TransferProgress } from '../../src/transfers/transfer.js';
import {
  AbortError,
  ChecksumMismatchError,
  HandlerNotFoundError,
  InvalidArgumentError,
  InvalidHandlerError,
  ServiceError,
  SrvError,
  TicketExpiredError,
  UnexpectedResponseError,
} from '../../src/errors.js';
import { crc32, crcToHex } from '../../src/integrity/crc32.js';
import { SrvSession, type SessionWarning } from '../../src/session/session.js';
import { FakeSrv, SRV_URL, TICKET_EXPIRED, fail, ok, type Reply } from '../helpers/fake-srv.js';

const CHUNK = 262_144;
const PATH = '/Public/reports/q1.bin';
const CONTENT = randomBytes(2 * CHUNK + 75_712);

let srv: FakeSrv;
let session: SrvSession;
let warnings: SessionWarning[];
let dir: string;
let target: string;

beforeEach(async () => {
  srv = new FakeSrv();
  srv.documents.set(PATH, CONTENT);
  warnings = [];
  session = await srv.login(warnings);
  dir = await mkdtemp(join(tmpdir(), 'download-test-'));
  target = join(dir, 'q1.bin');
});
afterEach(async () => {
  session.client.close();
  await rm(dir, { recursive: true, force: true });
});

// These follow one chunk at a time, call by call; reads in parallel have their own tests (parallel.test.ts).
const get = (options: DownloadOptions = {}) => session.download(PATH, target, { chunkSize: CHUNK, concurrency: 1, ...options });
const failure = (promise: Promise<unknown>) => promise.then(() => new Error('resolved'), (error: unknown) => error);
const filesInDir = () => readdir(dir);
const hex = (data: Buffer) => crcToHex(crc32(data));
/** Jest's deep equality is slow on large buffers. */
const expectBytes = (actual: Buffer, expected: Buffer) => expect({ length: actual.length, same: actual.equals(expected) }).toEqual({ length: expected.length, same: true });

/** Replies to the chosen DownloadFileChunk calls with what `change` makes of the standard reply. */
function onChunks(calls: number[], change: (standard: Reply) => Reply): void {
  srv.intercept((request, nth, standard) => (request.op === 'DownloadFileChunk' && calls.includes(nth) ? change(standard()) : undefined));
}

function onGrant(calls: number[], attributes: Record<string, string>): void {
  srv.intercept((request, nth, standard) => {
    if (!request.op.startsWith('GetDownloadHandler') || !calls.includes(nth)) return undefined;
    const reply = standard();
    return { ...reply, attributes: { ...reply.attributes, ...attributes } };
  });
}

/** Every handler the server granted was deleted, and none is left. */
function expectAllHandlersDeleted(count: number): void {
  expect(srv.grantedHandlers()).toHaveLength(count);
  expect(srv.deletedHandlers()).toEqual(srv.grantedHandlers());
  expect(srv.liveHandlers()).toEqual([]);
}

describe('a complete download', () => {
  test('fetches the granted chunks in order, verifies them and the file, writes the file and deletes the handler', async () => {
    const progress: TransferProgress[] = [];
    const result = await get({ onProgress: (p) => progress.push(p) });

    expectBytes(await readFile(target), CONTENT);
    expect(await filesInDir()).toEqual(['q1.bin']);
    expect(result).toMatchObject({ bytes: CONTENT.length, crc32: hex(CONTENT), chunks: 3, retries: 0, restarts: 0, fileName: 'q1.bin', contentType: 'application/octet-stream' });
    expect(srv.calls('GetDownloadHandler')[0]?.params).toMatchObject({ Path: PATH, PreferedChunkSize: String(CHUNK) });
    expect(srv.offsets()).toEqual([0, CHUNK, 2 * CHUNK]);
    expect(progress.map((p) => [p.bytes, p.chunks])).toEqual([[CHUNK, 1], [2 * CHUNK, 2], [CONTENT.length, 3]]);
    expect(progress.every((p) => p.totalBytes === CONTENT.length)).toBe(true);
    expectAllHandlersDeleted(1);
    expect(warnings).toEqual([]);
  });

  test("asks each chunk with the handler's granted ChunkSize and advances by chunklength, not by ChunkSize", async () => {
    onGrant([1], { ChunkSize: '300000' });
    srv.maxChunkLength = 200_000;
    const result = await get();

    expectBytes(await readFile(target), CONTENT);
    expect(srv.calls('DownloadFileChunk').map((r) => r.params['ChunkSize'])).toEqual(['300000', '300000', '300000']);
    expect(srv.offsets()).toEqual([0, 200_000, 400_000]);
    expect(result.chunks).toBe(3);
  });

  test('the default chunk size asked for is 4 MiB', async () => {
    await session.download(PATH, target);
    expect(srv.calls('GetDownloadHandler')[0]?.params['PreferedChunkSize']).toBe(String(4 * 1_048_576));
  });

  test('an empty document makes an empty file without asking for a chunk', async () => {
    srv.documents.set('/Public/empty.txt', Buffer.alloc(0));
    const result = await session.download('/Public/empty.txt', target);
    await expect(readFile(target)).resolves.toEqual(Buffer.alloc(0));
    expect(result).toMatchObject({ bytes: 0, crc32: '00000000', chunks: 0 });
    expect(srv.offsets()).toEqual([]);
    expectAllHandlersDeleted(1);
  });

  test('a versionNumber stages that version with GetDownloadHandlerByVersion', async () => {
    const first = randomBytes(1000);
    srv.documents.set(`${PATH}@1000000`, first);
    const result = await session.download({ path: PATH, versionNumber: 1_000_000 }, target);

    expectBytes(await readFile(target), first);
    expect(srv.calls('GetDownloadHandler')).toEqual([]);
    expect(srv.calls('GetDownloadHandlerByVersion')[0]?.params).toMatchObject({ Path: PATH, VersionNumber: '1000000' });
    expect(result.versionNumber).toBe(1_000_000);
  });
});

test('a server that sends chunks shorter than it granted is read one chunk at a time from there, advancing by chunklength', async () => {
  srv.maxChunkLength = 100_000;
  const result = await get({ concurrency: 4 });
  expectBytes(await readFile(target), CONTENT);
  expect(result.bytes).toBe(CONTENT.length);
  expect(warnings.filter((warning) => /shorter than it granted/.test(warning.message))).toHaveLength(1);
  const offsets = srv.requests.filter((request) => request.op === 'DownloadFileChunk').map((request) => Number(request.params['StartOffset']));
  const serial = offsets.slice(offsets.indexOf(100_000));
  expect(serial).toEqual(serial.map((_, index) => 100_000 * (index + 1)));
});

describe('a chunk that fails its checks is asked for again at the same offset', () => {
  test('a wrong chunkCRC32, then a good reply', async () => {
    onChunks([2], (reply) => ({ ...reply, attributes: { ...reply.attributes, chunkCRC32: 'deadbeef' } }));
    const progress: TransferProgress[] = [];
    const result = await get({ onProgress: (p) => progress.push(p) });

    expectBytes(await readFile(target), CONTENT);
    expect(srv.offsets()).toEqual([0, CHUNK, CHUNK, 2 * CHUNK]);
    expect(result).toMatchObject({ retries: 1, restarts: 0, chunks: 3 });
    expect(progress.at(-1)?.retries).toBe(1);
  });

  test('a chunklength that does not match the bytes sent', async () => {
    onChunks([1], (reply) => ({ ...reply, attributes: { ...reply.attributes, chunklength: String(CHUNK - 1) } }));
    const result = await get();

    expectBytes(await readFile(target), CONTENT);
    expect(srv.offsets()).toEqual([0, 0, CHUNK, 2 * CHUNK]);
    expect(result.retries).toBe(1);
  });

  test("bytes that do not decode to chunklength (a damaged base64 text)", async () => {
    onChunks([3], (reply) => ({ ...reply, text: (reply.text ?? '').slice(0, -8) }));
    const result = await get();

    expectBytes(await readFile(target), CONTENT);
    expect(srv.offsets()).toEqual([0, CHUNK, 2 * CHUNK, 2 * CHUNK]);
    expect(result.retries).toBe(1);
  });

  test('a chunk that stays wrong fails with ChecksumMismatchError after the retry limit, leaving nothing behind', async () => {
    onChunks([2, 3, 4], (reply) => ({ ...reply, attributes: { ...reply.attributes, chunkCRC32: '1' } }));
    const error = await failure(get());

    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ operation: 'DownloadFileChunk', expected: '00000001' });
    expect(srv.offsets()).toEqual([0, CHUNK, CHUNK, CHUNK]); // the session's limit: 2 retries
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(1);
  });
});

describe('a file the server ends early is an error, never a short file', () => {
  test.each([
    ['lastchunk="true" too soon', (reply: Reply) => ({ ...reply, attributes: { ...reply.attributes, lastchunk: 'true' } })],
    ['chunklength="0" before the end', () => ok({ filelength: String(CONTENT.length), chunklength: '0', lastchunk: 'false', chunkCRC32: '0' })],
  ])('%s', async (_what, change) => {
    onChunks([2], change);
    const error = await failure(get());

    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toMatch(new RegExp(`ended the file after \\d+ of ${CONTENT.length} bytes`));
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(1);
  });

  test('a filelength that disagrees with the handler Size', async () => {
    onChunks([1], (reply) => ({ ...reply, attributes: { ...reply.attributes, filelength: '5' } }));
    await expect(get()).rejects.toThrow(/filelength 5 differs from the handler's Size/);
    expect(await filesInDir()).toEqual([]);
  });
});

describe('the whole-file CRC-32', () => {
  test('a mismatch starts over with a new handler, from byte 0', async () => {
    onGrant([1], { CRC32: 'abcdef01' });
    const result = await get();

    expectBytes(await readFile(target), CONTENT);
    expect(srv.offsets()).toEqual([0, CHUNK, 2 * CHUNK, 0, CHUNK, 2 * CHUNK]);
    expect(result).toMatchObject({ restarts: 1, chunks: 3, crc32: hex(CONTENT) });
    expectAllHandlersDeleted(2);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/starting over with a new handler \(1 of 3\)/)]);
  });

  test('a mismatch that persists fails with ChecksumMismatchError after maxRestarts; no file is written', async () => {
    onGrant([1, 2, 3], { CRC32: 'ABCDEF01' });
    const error = await failure(get({ maxRestarts: 2 }));

    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ expected: 'abcdef01', actual: hex(CONTENT) });
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(3);
  });

  test('is compared numerically: upper case and no zero padding are fine', async () => {
    const crc = crc32(CONTENT);
    onGrant([1], { CRC32: crc.toString(16).toUpperCase() });
    await expect(get()).resolves.toMatchObject({ restarts: 0 });
  });

  test('is not checked for rendered content, whose CRC32 is empty', async () => {
    onGrant([1], { CRC32: '', RenderedContent: 'true' });
    await expect(get()).resolves.toMatchObject({ bytes: CONTENT.length, restarts: 0 });
    expectBytes(await readFile(target), CONTENT);
  });
});

describe('a handler lost mid-transfer is replaced by a new one', () => {
  // After a new login the old handler is tried once more; this server bound it to the old session.
  test.each([
    ['[901]: the session logs in again, the old handler is refused', TICKET_EXPIRED, 2, [0, CHUNK, CHUNK, CHUNK, 2 * CHUNK]],
    ['[900]: the session logs in again, the old handler is refused', '[900] Authentication failed', 2, [0, CHUNK, CHUNK, CHUNK, 2 * CHUNK]],
    ['the handler expired', 'Download handler not found or expired.', 1, [0, CHUNK, CHUNK, 2 * CHUNK]],
    ['the handler is refused', 'Invalid download handler. (guid)', 1, [0, CHUNK, CHUNK, 2 * CHUNK]],
  ])('%s; the same staged file resumes at the offset reached; both handlers are deleted', async (_what, error, logins, offsets) => {
    onChunks([2], () => fail(error));
    const result = await get();

    expectBytes(await readFile(target), CONTENT);
    expect(srv.calls('AuthenticateUser')).toHaveLength(logins);
    expect(srv.offsets()).toEqual(offsets);
    expect(result).toMatchObject({ restarts: 1, chunks: 3, crc32: hex(CONTENT) });
    expectAllHandlersDeleted(2);
  });

  test('after [901] every later call carries the new ticket', async () => {
    onChunks([2], () => fail(TICKET_EXPIRED));
    await get();
    const afterLogin = srv.requests.slice(srv.requests.findIndex((r, i) => i > 0 && r.op === 'AuthenticateUser') + 1);
    expect(afterLogin.map((r) => r.params['authenticationTicket'] ?? r.params['AuthenticationTicket'])).toEqual(afterLogin.map(() => 'ticket-2'));
  });

  test('a new handler staging different bytes (the document changed, shorter) starts over from byte 0', async () => {
    const changed = randomBytes(CHUNK + 1000);
    onChunks([3], () => {
      srv.documents.set(PATH, changed);
      return fail(TICKET_EXPIRED);
    });
    const result = await get();

    expectBytes(await readFile(target), changed);
    expect(srv.offsets()).toEqual([0, CHUNK, 2 * CHUNK, 2 * CHUNK, 0, CHUNK]);
    expect(result).toMatchObject({ restarts: 1, bytes: changed.length, crc32: hex(changed) });
  });

  test('without a whole-file CRC-32 to prove the bytes the same, it starts over from byte 0', async () => {
    onGrant([1, 2], { CRC32: '' });
    onChunks([2], () => fail(TICKET_EXPIRED));
    await get();

    expectBytes(await readFile(target), CONTENT);
    expect(srv.offsets()).toEqual([0, CHUNK, CHUNK, 0, CHUNK, 2 * CHUNK]);
  });

  test('a handler lost every time fails after maxRestarts with the last error', async () => {
    onChunks([2, 3], () => fail('Download handler not found or expired.'));
    const error = await failure(get({ maxRestarts: 1 }));

    expect(error).toBeInstanceOf(HandlerNotFoundError);
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(2);
  });

  test('a ticket that dies again right after the new login ends the download: TicketExpiredError', async () => {
    onChunks([2, 3], () => fail(TICKET_EXPIRED));
    const error = await failure(get({ maxRestarts: 1 }));

    expect(error).toBeInstanceOf(TicketExpiredError);
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(1);
  });

  test('a session without credentials cannot log in again: TicketExpiredError, nothing left behind', async () => {
    const ticketOnly = await SrvSession.fromTicket({ url: SRV_URL, ticket: 'ticket-1', retry: { retries: 0 }, onWarning: (w) => warnings.push(w) });
    let expired = false;
    srv.intercept((request, nth) => {
      expired ||= request.op === 'DownloadFileChunk' && nth === 2;
      return expired ? fail(TICKET_EXPIRED) : undefined;
    });
    try {
      const error = await failure(ticketOnly.download(PATH, target, { chunkSize: CHUNK }));
      expect(error).toBeInstanceOf(TicketExpiredError);
      expect((error as Error).message).toMatch(/no credentials to log in again/);
      expect(srv.calls('AuthenticateUser')).toHaveLength(1);
      expect(await filesInDir()).toEqual([]);
      expect(warnings.map((w) => w.operation)).toContain('DeleteDownloadHandler');
    } finally {
      ticketOnly.client.close();
    }
  });
});

describe('DeleteDownloadHandler is best effort', () => {
  beforeEach(() => srv.intercept((request) => (request.op === 'DeleteDownloadHandler' ? fail('Access denied') : undefined)));

  test('its failure after a good download is a warning; the result stands', async () => {
    const result = await get();

    expectBytes(await readFile(target), CONTENT);
    expect(result.crc32).toBe(hex(CONTENT));
    expect(warnings).toEqual([expect.objectContaining({ operation: 'DeleteDownloadHandler', error: expect.any(ServiceError) })]);
  });

  test('its failure after a failed download never hides the original error', async () => {
    onChunks([2], () => fail('Access denied to the document'));
    const error = await failure(get());

    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).serverMessage).toBe('Access denied to the document');
    expect(warnings.map((w) => w.operation)).toEqual(['DeleteDownloadHandler']);
    expect(await filesInDir()).toEqual([]);
  });
});

describe('cancellation', () => {
  test('aborting mid-download ends the call under way with AbortError, deletes the handler and leaves no file', async () => {
    const controller = new AbortController();
    onChunks([2], (reply) => {
      controller.abort();
      return reply;
    });
    const error = await failure(get({ signal: controller.signal }));

    expect(error).toBeInstanceOf(AbortError);
    expect(srv.offsets()).toEqual([0, CHUNK]);
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(1);
  });

  test('an already aborted signal sends nothing and creates nothing', async () => {
    const before = srv.requests.length;
    await expect(get({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(srv.requests.length).toBe(before);
    expect(await filesInDir()).toEqual([]);
  });

  test('aborting after the last chunk still cancels: the destination is not written', async () => {
    const controller = new AbortController();
    await expect(get({ signal: controller.signal, onProgress: (p) => p.bytes === p.totalBytes && controller.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(1);
  });
});

describe('an existing destination file', () => {
  const OLD = Buffer.from('the previous report');
  beforeEach(() => writeFile(target, OLD));

  test('is an error before any request without overwrite, and stays as it was', async () => {
    const before = srv.requests.length;
    const error = await failure(get());

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument: 'destination', message: expect.stringMatching(/already exists.*overwrite: true/) });
    expect(srv.requests.length).toBe(before);
    await expect(readFile(target)).resolves.toEqual(OLD);
  });

  test('is replaced with overwrite only after the download is verified', async () => {
    const seen: Buffer[] = [];
    await get({ overwrite: true, onProgress: () => seen.push(readFileSync(target)) });

    expectBytes(await readFile(target), CONTENT);
    expect(seen.every((b) => b.equals(OLD))).toBe(true);
    expect(await filesInDir()).toEqual(['q1.bin']);
  });

  test('is left intact with overwrite when the download fails', async () => {
    onGrant([1], { CRC32: '12345678' });
    await expect(get({ overwrite: true, maxRestarts: 0 })).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(readFile(target)).resolves.toEqual(OLD);
    expect(await filesInDir()).toEqual(['q1.bin']);
  });
});

test('a file that appears at the destination during the download is not replaced without overwrite', async () => {
  const theirs = Buffer.from('written by someone else meanwhile');
  const error = await failure(get({ onProgress: (p) => void (p.chunks === 1 && writeFile(target, theirs)) }));

  expect(error).toMatchObject({ name: 'InvalidArgumentError', argument: 'destination' });
  await expect(readFile(target)).resolves.toEqual(theirs);
  expect(await filesInDir()).toEqual(['q1.bin']);
});

describe('a Writable destination', () => {
  function collector(): { stream: PassThrough; bytes: () => Buffer } {
    const stream = new PassThrough();
    const parts: Buffer[] = [];
    stream.on('data', (part: Buffer) => parts.push(part));
    return { stream, bytes: () => Buffer.concat(parts) };
  }

  test('receives the verified bytes and is left open for the caller', async () => {
    const { stream, bytes } = collector();
    const result = await session.download(PATH, stream, { chunkSize: CHUNK });

    expectBytes(bytes(), CONTENT);
    expect(result.crc32).toBe(hex(CONTENT));
    expect(stream.writableEnded).toBe(false);
    expect(stream.listenerCount('error')).toBe(0);
  });

  test('receives only verified chunks: a bad chunk is asked for again, never written', async () => {
    const { stream, bytes } = collector();
    onChunks([1], (reply) => ({ ...reply, attributes: { ...reply.attributes, chunkCRC32: 'deadbeef' } }));
    await session.download(PATH, stream, { chunkSize: CHUNK });
    expectBytes(bytes(), CONTENT);
  });

  test('cannot be rewound: a whole-file mismatch fails at once with ChecksumMismatchError, without a new handler', async () => {
    const { stream } = collector();
    onGrant([1], { CRC32: '12345678' });
    await expect(session.download(PATH, stream, { chunkSize: CHUNK })).rejects.toBeInstanceOf(ChecksumMismatchError);
    expectAllHandlersDeleted(1);
  });

  test('a lost handler resumes when the new one stages the same bytes', async () => {
    const { stream, bytes } = collector();
    onChunks([2], () => fail(TICKET_EXPIRED));
    await expect(session.download(PATH, stream, { chunkSize: CHUNK })).resolves.toMatchObject({ restarts: 1 });
    expectBytes(bytes(), CONTENT);
  });

  test('a lost handler whose replacement stages different bytes fails with a typed error; only verified bytes were written', async () => {
    const { stream, bytes } = collector();
    onChunks([2], () => {
      srv.documents.set(PATH, randomBytes(CONTENT.length));
      return fail(TICKET_EXPIRED);
    });
    const error = await failure(session.download(PATH, stream, { chunkSize: CHUNK }));

    expect(error).toBeInstanceOf(SrvError);
    expect((error as Error).message).toMatch(/cannot start over, 262144 bytes are already written/);
    // The old handler, tried once more after the new login, was refused.
    expect((error as Error).cause).toBeInstanceOf(InvalidHandlerError);
    expectBytes(bytes(), CONTENT.subarray(0, CHUNK));
    expectAllHandlersDeleted(2);
  });

  test('a stream that fails makes the download fail with its error', async () => {
    const stream = new Writable({ write: (_chunk, _encoding, done) => done(new Error('disk full')) });
    await expect(session.download(PATH, stream, { chunkSize: CHUNK })).rejects.toThrow('disk full');
    expectAllHandlersDeleted(1);
  });

  test('a consumer that stops reading does not keep a cancelled download waiting', async () => {
    const stream = new PassThrough({ highWaterMark: 1 }); // nobody reads it
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(session.download(PATH, stream, { chunkSize: CHUNK, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expectAllHandlersDeleted(1);
  });
});

describe('a document over 2147483647 bytes', () => {
  test('is refused before any chunk, its handler deleted: int offsets cannot address it', async () => {
    onGrant([1], { Size: '2147483648' });
    const error = await failure(get());

    // Not a usage error: the caller passed a valid path, the service cannot address the file.
    expect(error).toBeInstanceOf(SrvError);
    expect(error).not.toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ message: expect.stringMatching(/2147483648 bytes, but the service's int offsets/) });
    expect(srv.offsets()).toEqual([]);
    expect(await filesInDir()).toEqual([]);
    expectAllHandlersDeleted(1);
  });
});

describe('bad input is refused with InvalidArgumentError naming it, before anything is sent or created', () => {
  test.each<[string, () => Promise<unknown>, string]>([
    ['an empty path', () => session.download('', target), 'source'],
    ['a blank path', () => session.download('  ', target), 'source'],
    ['a source that is neither', () => session.download(42 as never, target), 'source'],
    ['an empty path with a version', () => session.download({ path: '', versionNumber: 0 }, target), 'source.path'],
    ['a negative versionNumber', () => session.download({ path: PATH, versionNumber: -1 }, target), 'source.versionNumber'],
    ['versionNumber 1..999999', () => session.download({ path: PATH, versionNumber: 2 }, target), 'source.versionNumber'],
    ['a fractional versionNumber', () => session.download({ path: PATH, versionNumber: 1_000_000.5 }, target), 'source.versionNumber'],
    ['a chunkSize below 262144', () => get({ chunkSize: 262_143 }), 'chunkSize'],
    ['a chunkSize above 33554432', () => get({ chunkSize: 33_554_433 }), 'chunkSize'],
    ['a negative maxRestarts', () => get({ maxRestarts: -1 }), 'maxRestarts'],
    ['a destination in a missing directory', () => session.download(PATH, join(dir, 'missing', 'q1.bin')), 'destination'],
    ['a destination that is a directory', () => session.download(PATH, dir), 'destination'],
    ['an empty destination', () => session.download(PATH, ''), 'destination'],
    ['a destination that is neither a path nor a stream', () => session.download(PATH, {} as never), 'destination'],
    ['an ended stream', () => session.download(PATH, new PassThrough().end()), 'destination'],
  ])('%s', async (_what, call, argument) => {
    const before = srv.requests.length;
    const error = await failure(call());

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument });
    expect(srv.requests.length).toBe(before);
    expect(await filesInDir()).toEqual([]);
  });
});

test('a grant that says it failed but names a handler: the handler is deleted (issue 20, item 14)', async () => {
  const named = '99999999-9999-4999-8999-000000000009';
  srv.intercept((request) => (request.op === 'GetDownloadHandler' ? { attributes: { success: 'false', error: 'Document is offline', downloadhandler: named } } : undefined));
  await expect(get()).rejects.toMatchObject({ name: 'ServiceError', handler: named });
  expect(srv.calls('DeleteDownloadHandler').map((c) => c.params['DownloadHandler'])).toEqual([named]);
  expect(await filesInDir()).toEqual([]);
});
