// A finalize whose outcome the reply cannot tell, settled by the versions stored since the upload
// began (issue 20, items 2, 3 and 6): a finalize that never happened is never reported stored, not
// even when the latest version has the very same bytes; a slow finalize is waited for, never sent
// a second time to store the document twice; and where no filehexcrc proved the staged bytes, the
// version this upload stored is checked, not whatever another writer made the latest, also when the
// finalize that stored it lost its reply.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { ChecksumMismatchError, SrvError, SrvSession, UnknownOutcomeError } from '../../src/index.js';
import { PROFILES } from '../helpers/profiles.js';

const RETRY = { retries: 2, minDelayMs: 1, maxDelayMs: 2 };

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  let session: SrvSession;

  afterEach(async () => {
    await session.close();
    await emulator.close();
  });

  const versionsOf = (path: string) => emulator.state().documents.find((d) => d.path === path)?.versions.length ?? 0;
  const login = (timeoutMs?: number) => SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: RETRY, ...(timeoutMs !== undefined && { timeoutMs }) });

  test('the same bytes again, while every finalize fails unapplied: never reported stored, no new version, no handler left', async () => {
    emulator = await startEmulator({ profile });
    session = await login();
    const bytes = randomBytes(300_000);
    await session.upload(bytes, '/Public/same.bin');
    emulator.faults.add({ op: 'UploadDocumentWithHandler1', kind: 'http500' });
    const error = await session.upload(bytes, '/Public/same.bin', { metadata: { versionComment: 'again' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SrvError);
    expect((error as Error).message).toMatch(/^\/Public\/same\.bin was not stored: /);
    expect(versionsOf('/Public/same.bin')).toBe(1);
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  test('a finalize slower than the client waits: settled by the version it stores, never sent twice', async () => {
    emulator = await startEmulator({ profile });
    session = await login(1_000);
    emulator.faults.add({ op: 'UploadDocumentWithHandler', kind: 'slow', latencyMs: 1_500, times: 1 });
    const result = await session.upload(randomBytes(300_000), '/Public/slow.bin');
    expect(result).toMatchObject({ confirmation: 'stored-version', versionNumber: 1_000_000 });
    expect(versionsOf('/Public/slow.bin')).toBe(1);
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  test('a finalize far slower than the client waits: its outcome is unknown, and it is not sent again', async () => {
    emulator = await startEmulator({ profile });
    session = await login();
    emulator.faults.add({ op: 'UploadDocumentWithHandler', kind: 'slow', latencyMs: 1_500, times: 1 });
    // The call's time limit bounds the wait for the finalize as it bounds the finalize.
    const error = await session.upload(randomBytes(300_000), '/Public/slower.bin', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    // Once the slow finalize has ended, one version at most: never a second one stored by a second finalize.
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(versionsOf('/Public/slower.bin')).toBeLessThanOrEqual(1);
    expect(emulator.state().uploadHandlers).toEqual([]);
  });
});

describe.each(PROFILES)('a corrupted append whose finalize replies are lost, on a %s server without filehexcrc', (profile) => {
  // Nothing proves the staged bytes; the first finalize stores them, its reply and the next one's are
  // lost, and the third meets the handler the first consumed: a version with other bytes than the
  // source's is there, which is never a success and never "handler not found".
  let emulator: RunningEmulator;
  let session: SrvSession;
  const path = '/Public/corrupt-finalize.bin';
  const bytes = randomBytes(300_000);

  beforeEach(async () => {
    emulator = await startEmulator({ profile, fileHexCrc: false });
    session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: RETRY });
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'corrupt', at: [1] });
    emulator.faults.add({ op: 'UploadDocumentWithHandler', kind: 'dropReply', at: [1, 2] });
  });
  afterEach(async () => {
    await session.close();
    await emulator.close();
  });

  const stored = () => Promise.all((emulator.state().documents.find((d) => d.path === path)?.versions ?? []).map((v) => emulator.readDocument(path, v.versionNumber)));

  test('from a stream, which cannot be read again: ChecksumMismatchError, no handler left', async () => {
    const error = await session.upload(Readable.from([bytes]), path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toMatch(/no version of \/Public\/corrupt-finalize\.bin stored since the upload began has the source's CRC-32/);
    expect((await stored()).map((version) => version.equals(bytes))).toEqual([false]);
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  test('from a Buffer: uploaded again, the latest version is the source', async () => {
    const result = await session.upload(bytes, path);
    expect(result.restarts).toBe(1);
    expect((await stored()).map((version) => version.equals(bytes))).toEqual([false, true]);
    expect(emulator.state().uploadHandlers).toEqual([]);
  });
});

test('20 uploads to one path on a server without filehexcrc: each checks the version it stored, and all succeed', async () => {
  const emulator = await startEmulator({ fileHexCrc: false });
  const sessions = await Promise.all(Array.from({ length: 20 }, () => SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: RETRY })));
  try {
    const sources = sessions.map(() => randomBytes(100_000));
    const results = await Promise.allSettled(sessions.map((session, n) => session.upload(sources[n] as Buffer, '/Public/contended.bin')));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const stored = emulator.state().documents.find((d) => d.path === '/Public/contended.bin')?.versions ?? [];
    expect(stored).toHaveLength(20);
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
    await emulator.close();
  }
});
