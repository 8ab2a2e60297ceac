// download(), documentExists and ensureFolder against the real emulator over HTTP: documents are
// seeded with raw upload calls, and the emulator's own state shows what was left behind. Against
// every server profile (test/helpers/profiles.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { AbortError } from '../../src/errors.js';
import { crc32, crcToHex, crcToWireHex } from '../../src/integrity/crc32.js';
import { SrvSession, type SessionWarning } from '../../src/session/session.js';
import { PROFILES } from '../helpers/profiles.js';

const CHUNK = 262_144;

describe.each(PROFILES)('against a %s server', (profile) => {
  const FOLDER = '/Public/reports/2025';

  let emulator: RunningEmulator;
  let session: SrvSession;
  let warnings: SessionWarning[];
  let dir: string;

  beforeEach(async () => {
    emulator = await startEmulator({ profile });
    warnings = [];
    session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 }, onWarning: (w) => warnings.push(w) });
    dir = await mkdtemp(join(tmpdir(), 'download-emulator-'));
  });
  afterEach(async () => {
    session.client.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Stores a new version of `path` with raw upload calls. */
  async function seed(path: string, content: Buffer): Promise<void> {
    const { UploadHandler: uploadHandler, ChunkSize } = await session.call('CreateUploadHandler', { PreferedChunkSize: CHUNK });
    for (let offset = 0; ; offset += ChunkSize) {
      const fileChunk = content.subarray(offset, offset + ChunkSize);
      const lastChunk = offset + ChunkSize >= content.length;
      const ack = await session.call('UploadFileChunk', { uploadHandler, fileChunk, chunkHEXCRC: crcToWireHex(crc32(fileChunk)), lastChunk });
      if (ack.tryagain) throw new Error('the seed upload was refused');
      if (lastChunk) break;
    }
    await session.call('UploadDocumentWithHandler', { path, uploadHandler });
  }

  const expectBytes = (actual: Buffer, expected: Buffer) => expect({ length: actual.length, same: actual.equals(expected) }).toEqual({ length: expected.length, same: true });

  describe('download from the emulator', () => {
    const path = `${FOLDER}/data.bin`;
    const content = randomBytes(3 * CHUNK + 12_345);

    beforeEach(async () => {
      await session.ensureFolder(FOLDER);
      await seed(path, content);
    });

    test('a multi-chunk document arrives whole, matches the stored CRC-32, and no handler or temp file is left', async () => {
      const target = join(dir, 'data.bin');
      const result = await session.download(path, target, { chunkSize: CHUNK });

      expectBytes(await readFile(target), content);
      // A minimal server sends no AlterDocumentName, so there is no name to report.
      const fileName = profile === 'minimal' ? undefined : 'data.bin';
      expect(result).toMatchObject({ bytes: content.length, chunks: 4, crc32: crcToHex(crc32(content)), fileName, retries: 0, restarts: 0 });
      expect(emulator.state().documents.find((d) => d.path === path)?.versions.at(-1)?.crc32).toBe(result.crc32);
      expect(emulator.state().downloadHandlers).toEqual([]);
      expect(await readdir(dir)).toEqual(['data.bin']);
      expect(warnings).toEqual([]);
    });

    test('a version chosen by its number', async () => {
      const second = randomBytes(CHUNK + 1);
      await seed(path, second);
      const [first, latest] = emulator.state().documents.find((d) => d.path === path)?.versions ?? [];

      const old = await session.download({ path, versionNumber: first?.versionNumber ?? -1 }, join(dir, 'v1.bin'));
      const now = await session.download(path, join(dir, 'latest.bin'));

      expectBytes(await readFile(join(dir, 'v1.bin')), content);
      expectBytes(await readFile(join(dir, 'latest.bin')), second);
      expect([old.crc32, now.crc32]).toEqual([first?.crc32, latest?.crc32]);
    });

    test('a corrupted chunk is asked for again', async () => {
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'corrupt', at: [2] });
      const target = join(dir, 'data.bin');
      const result = await session.download(path, target, { chunkSize: CHUNK });

      expectBytes(await readFile(target), content);
      // Without chunkCRC32 (minimal) only the whole file's CRC-32 shows the flipped byte: the download starts over.
      expect(result).toMatchObject(profile === 'minimal' ? { retries: 0, restarts: 1 } : { retries: 1, restarts: 0 });
    });

    test('a ticket that expires mid-transfer: the session logs in again and a new handler finishes the file', async () => {
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'expireTicket', at: [3] });
      const target = join(dir, 'data.bin');
      const result = await session.download(path, target, { chunkSize: CHUNK });

      expectBytes(await readFile(target), content);
      expect(result.restarts).toBe(1);
      // The emulator drops the dead session's handler; the new one was deleted by the download.
      expect(emulator.state().downloadHandlers).toEqual([]);
    });

    test('cancelling mid-transfer leaves no file, no temp file and no handler', async () => {
      emulator.faults.add({ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 2_000, at: [2] });
      const controller = new AbortController();
      const target = join(dir, 'data.bin');
      const cancelled = session.download(path, target, { chunkSize: CHUNK, signal: controller.signal, onProgress: () => controller.abort() });

      await expect(cancelled).rejects.toBeInstanceOf(AbortError);
      expect(await readdir(dir)).toEqual([]);
      expect(emulator.state().downloadHandlers).toEqual([]);
    });
  });

  describe('lookups against the emulator', () => {
    test('ensureFolder creates missing folders and is a no-op the second time', async () => {
      await session.ensureFolder('/Public/a/b/c');
      await session.ensureFolder('/Public/a/b/c');
      expect(emulator.state().folders).toEqual(expect.arrayContaining(['/Public/a', '/Public/a/b', '/Public/a/b/c']));
    });

    test('documentExists gives the latest CRC-32 of an existing document and undefined for a missing one', async () => {
      await session.ensureFolder(FOLDER);
      const content = randomBytes(5000);
      await seed(`${FOLDER}/x.txt`, content);

      const info = await session.exists(`${FOLDER}/x.txt`);
      expect(info?.crc32LastVersion).toBe(crcToHex(crc32(content)));
      await expect(session.exists(`${FOLDER}/missing.txt`)).resolves.toBeUndefined();
      await expect(session.exists('/Public/nowhere/x.txt')).resolves.toBeUndefined();
    });
  });
});
