// Issue 11, case 4: a data directory that runs out of space during an append, and frees again.
// An append is all or nothing (a failed one leaves the staged file as it was), it is answered as
// the server's I/O failure (in-band `SystemError:`, or classic-asmx's soap:Server fault), and the
// CRC-32s the emulator reports (filehexcrc, the stored version's) describe the bytes on disk.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { startEmulator } from '../../src/emulator/index.js';
import type { ProfileName, RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession, type SessionWarning } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { PROFILES } from '../helpers/profiles.js';
import { createUploadHandler, crcHex, envelope11, login, postSoap11, resultOf, soap, TEMPURI, uploadChunk } from './helpers.js';
import { mountTmpfs, type Tmpfs } from './tmpfs.js';

const CHUNK = 262_144;
/** Room for the store, a few staged chunks and a stored document; the filler takes the rest. */
const TMPFS_BYTES = 4 * 1_048_576;
/** What the filler leaves free: less than a chunk, so the next append runs out of space halfway. */
const LEFT_FREE = 100 * 1024;

const crcOf = (bytes: Buffer): number => crc32(bytes) >>> 0;
const hex = (crc: number): string => crc.toString(16).padStart(8, '0');
const faultString = (body: string): string =>
  (/<faultstring>([\s\S]*?)<\/faultstring>/.exec(body)?.[1] ?? '').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

let tmpfs: Tmpfs | undefined;
let emulator: RunningEmulator | undefined;
let filler: string;

async function open(profile: ProfileName): Promise<RunningEmulator | undefined> {
  tmpfs = await mountTmpfs(TMPFS_BYTES, `the disk-full tests (${profile})`);
  if (tmpfs === undefined) return undefined;
  const dataDir = join(tmpfs.dir, 'data');
  mkdirSync(dataDir);
  filler = join(tmpfs.dir, 'filler');
  emulator = await startEmulator({ profile, dataDir });
  return emulator;
}

/** Fills the disk until only `leftFree` bytes are left. */
function fill(leftFree = LEFT_FREE): void {
  if (tmpfs === undefined) throw new Error('no tmpfs');
  writeFileSync(filler, Buffer.alloc(tmpfs.free() - leftFree));
}

const unfill = (): void => rmSync(filler, { force: true });

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  await tmpfs?.unmount();
  tmpfs = undefined;
});

const stagedFile = (running: RunningEmulator, handler: string): string => join(running.dataDir, 'staging', `${handler}.upload`);

describe('a failed append, on the wire', () => {
  it.each([
    ['documented', 'an in-band SystemError: reply'],
    ['classic-asmx', "a soap:Server fault with the IOException"],
  ] as const)('%s: %s; the staged file keeps its length; filehexcrc and the stored CRC-32 are those of the bytes on disk', async (profile, _reply) => {
    const running = await open(profile);
    if (running === undefined) return;
    const ticket = await login(running.url);
    const source = randomBytes(2 * CHUNK + 7);
    const chunks = [source.subarray(0, CHUNK), source.subarray(CHUNK, 2 * CHUNK), source.subarray(2 * CHUNK)];
    const handler = await createUploadHandler(running.url, ticket, CHUNK);
    expect((await uploadChunk(running.url, ticket, handler, chunks[0] as Buffer, false)).result.attrs.success).toBe('true');

    fill();
    const second = chunks[1] as Buffer;
    const refused = await postSoap11(running.url, `${TEMPURI}UploadFileChunk`, envelope11('UploadFileChunk', [
      ['authenticationTicket', ticket],
      ['uploadHandler', handler],
      ['fileChunk', second.toString('base64')],
      ['chunkHEXCRC', crcHex(second)],
      ['lastChunk', 'false'],
    ]));
    if (profile === 'documented') {
      expect(refused.status).toBe(200);
      expect(resultOf(refused.body).attrs).toEqual({ success: 'false', error: 'SystemError: There is not enough space on the disk.' });
    } else {
      expect(refused.status).toBe(500);
      expect(refused.body).toContain('<faultcode>soap:Server</faultcode>');
      expect(faultString(refused.body)).toMatch(/---> System\.IO\.IOException: There is not enough space on the disk\.\r\n {3}at Srv\.UploadFileChunk\(/);
    }
    // All or nothing: the half of the chunk that fitted is gone again.
    expect(statSync(stagedFile(running, handler)).size).toBe(CHUNK);
    expect(running.state().uploadHandlers.find((h) => h.id === handler)?.bytes).toBe(CHUNK);

    unfill();
    expect((await uploadChunk(running.url, ticket, handler, chunks[1] as Buffer, false)).result.attrs.success).toBe('true');
    const last = await uploadChunk(running.url, ticket, handler, chunks[2] as Buffer, true);
    expect(last.result.attrs.success).toBe('true');
    const onDisk = readFileSync(stagedFile(running, handler));
    expect(onDisk.equals(source)).toBe(true);
    expect(last.result.attrs.filehexcrc).toBe(hex(crcOf(onDisk)));

    const stored = await soap(running.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/full.bin'], ['uploadHandler', handler]]);
    expect(stored.result.attrs.success).toBe('true');
    const bytes = await running.readDocument('/Public/full.bin');
    expect(bytes.equals(source)).toBe(true);
    expect(running.state().documents.find((d) => d.path === '/Public/full.bin')?.versions.map((v) => v.crc32)).toEqual([hex(crcOf(bytes))]);
  });
});

describe('a finalize that cannot write the store', () => {
  it('answers SystemError and stores nothing: no document, no version, no content file; the next upload starts afresh', async () => {
    const running = await open('documented');
    if (running === undefined) return;
    const ticket = await login(running.url);
    const source = randomBytes(CHUNK + 3);
    const handler = await createUploadHandler(running.url, ticket, CHUNK);
    await uploadChunk(running.url, ticket, handler, source.subarray(0, CHUNK), false);
    await uploadChunk(running.url, ticket, handler, source.subarray(CHUNK), true);
    const contentBefore = readdirSync(join(running.dataDir, 'content'));

    fill(0);
    const refused = await soap(running.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/unsaved.bin'], ['uploadHandler', handler]]);
    expect(refused.result.attrs).toEqual({ success: 'false', error: 'SystemError: There is not enough space on the disk.' });
    expect(running.state().documents.find((d) => d.path === '/Public/unsaved.bin')).toBeUndefined();
    expect(running.state().uploadHandlers).toEqual([]);
    expect(readdirSync(join(running.dataDir, 'content'))).toEqual(contentBefore);
    expect((await soap(running.url, 'DocumentExists', [['authenticationTicket', ticket], ['Path', '/Public/unsaved.bin']])).result.attrs.error).toBe('Document not found');

    unfill();
    const again = await createUploadHandler(running.url, ticket, CHUNK);
    await uploadChunk(running.url, ticket, again, source.subarray(0, CHUNK), false);
    await uploadChunk(running.url, ticket, again, source.subarray(CHUNK), true);
    expect((await soap(running.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/unsaved.bin'], ['uploadHandler', again]])).result.attrs.success).toBe('true');
    expect(running.state().documents.find((d) => d.path === '/Public/unsaved.bin')?.versions.map((v) => v.versionNumber)).toEqual([1_000_000]);
    expect((await running.readDocument('/Public/unsaved.bin')).equals(source)).toBe(true);
  });
});

describe.each(PROFILES)('%s: the disk fills up during an upload and is freed while the client retries or starts over', (profile) => {
  it('every upload stores the source exactly, and the CRC-32s the emulator reports are those of the stored bytes', async () => {
    const running = await open(profile);
    if (running === undefined) return;
    let freed = 0;
    const onWarning = (warning: SessionWarning): void => {
      // The client retries the chunk, or (once it knows the server sends no filehexcrc) starts over with a new handler.
      if ((warning.kind !== 'retry' && warning.kind !== 'restart') || !statSync(filler, { throwIfNoEntry: false })) return;
      unfill();
      freed += 1;
    };
    const session = await SrvSession.login({ url: running.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning });
    try {
      // The disk fills after the first, second and third chunk of three uploads in turn.
      for (const fillAfter of [1, 2, 3]) {
        const source = randomBytes(4 * CHUNK + 5);
        const path = `/Public/full-${fillAfter}.bin`;
        let filled = false;
        await session.upload(source, path, {
          chunkSize: CHUNK,
          onProgress: (progress) => {
            if (filled || progress.chunks !== fillAfter) return;
            filled = true;
            fill();
          },
        });
        const bytes = await running.readDocument(path);
        expect([path, bytes.length, bytes.equals(source)]).toEqual([path, source.length, true]);
        const versions = running.state().documents.find((d) => d.path === path)?.versions ?? [];
        expect(versions.at(-1)?.crc32).toBe(hex(crcOf(bytes)));
        expect((await session.exists(path))?.crc32LastVersion).toBe(hex(crcOf(bytes)));
      }
      // The disk did fill up, each time, and was freed by a retry or a restart.
      expect(freed).toBe(3);
      expect(running.state().uploadHandlers).toEqual([]);
    } finally {
      unfill();
      await session.close();
    }
  });
});
