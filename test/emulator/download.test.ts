import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { crcValue, DEAD_TICKET, login, soap, uploadDocument } from './helpers.js';

let emulator: RunningEmulator;
let ticket: string;
const first = randomBytes(200_000);
const second = randomBytes(70_000);
let documentId: number;

beforeAll(async () => {
  emulator = await startEmulator({ defaultChunkSize: 300_000, handlerTtlMs: 1000 });
  ticket = await login(emulator.url);
  ({ documentId } = await uploadDocument(emulator.url, ticket, '/Public/data.txt', first));
  await uploadDocument(emulator.url, ticket, '/Public/data.txt', second);
});
afterAll(() => emulator.close());

const hex = (data: Buffer): string => crcValue(data).toString(16).padStart(8, '0');

const getHandler = (path: string, chunkSize = '0', who = ticket) =>
  soap(emulator.url, 'GetDownloadHandler', [['AuthenticationTicket', who], ['Path', path], ['PreferedChunkSize', chunkSize]]).then((r) => r.result);

const byVersion = (path: string, versionNumber: string) =>
  soap(emulator.url, 'GetDownloadHandlerByVersion', [['AuthenticationTicket', ticket], ['Path', path], ['VersionNumber', versionNumber], ['PreferedChunkSize', '262144']]).then((r) => r.result);

const chunk = (handler: string, start: number, size: number, who = ticket) =>
  soap(emulator.url, 'DownloadFileChunk', [['authenticationTicket', who], ['DownloadHandler', handler], ['StartOffset', String(start)], ['ChunkSize', String(size)]]).then((r) => r.result);

async function downloadAll(handler: string, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = 0; ; ) {
    const reply = await chunk(handler, offset, size);
    const data = Buffer.from(reply.text, 'base64');
    expect(Number(reply.attrs.chunklength)).toBe(data.length);
    expect(reply.attrs.chunkCRC32).toBe(hex(data));
    parts.push(data);
    offset += data.length;
    if (reply.attrs.lastchunk === 'true') return Buffer.concat(parts);
  }
}

describe('GetDownloadHandler', () => {
  it('stages the latest version and describes it', async () => {
    const result = await getHandler('/Public/data.txt', '262144');
    expect(result.name).toBe('response');
    expect(Object.keys(result.attrs)).toEqual(['success', 'Size', 'ContentType', 'ModificationDate', 'VersionNumber', 'AlterDocumentName', 'RenderedContent', 'CRC32', 'ChunkSize', 'downloadhandler']);
    expect(result.attrs).toMatchObject({
      success: 'true',
      Size: String(second.length),
      ContentType: 'text/plain',
      VersionNumber: '0',
      AlterDocumentName: 'data.txt',
      RenderedContent: 'false',
      CRC32: hex(second),
      ChunkSize: '262144',
    });
    expect(result.attrs.ModificationDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(emulator.state().downloadHandlers).toContainEqual({ id: result.attrs.downloadhandler, user: 'demo', path: '/Public/data.txt' });
  });

  it.each([['0', '300000'], ['5', '262144'], ['99999999', '33554432']])('grants PreferedChunkSize=%s as %s', async (requested, granted) => {
    expect((await getHandler('/Public/data.txt', requested)).attrs.ChunkSize).toBe(granted);
  });

  it('finds a document by full path in any case or with backslashes, by ~D{id} and by ~D{id}.ext', async () => {
    for (const path of ['/PUBLIC/Data.TXT', '\\Public\\data.txt', 'Public/data.txt', `~D${documentId}`, `~D${documentId}.txt`, `~D${documentId}.TXT`]) {
      expect([path, (await getHandler(path)).attrs.CRC32]).toEqual([path, hex(second)]);
    }
  });

  it.each([
    ['/Public/nothing.txt', 'Document not found'],
    ['~D1.pdf', 'Document not found'], // document 1 is data.txt
    ['~D999', 'Document not found'],
    ['~F1', 'InvalidDocumentIdentifer'],
    ['/Public/../Public/data.txt', 'Document not found'],
  ])('refuses %s: %s', async (path, error) => {
    expect((await getHandler(path)).attrs).toEqual({ success: 'false', error });
  });

  it('needs AuthenticationTicket with a capital A', async () => {
    const { result } = await soap(emulator.url, 'GetDownloadHandler', [['authenticationTicket', ticket], ['Path', '/Public/data.txt'], ['PreferedChunkSize', '0']]);
    expect(result.attrs.error).toBe('[900] Authentication failed');
  });
});

describe('GetDownloadHandlerByVersion', () => {
  it('stages the requested version and echoes its number; 0 is the latest', async () => {
    const v1 = await byVersion('/Public/data.txt', '1000000');
    expect(v1.attrs).toMatchObject({ success: 'true', Size: String(first.length), VersionNumber: '1000000', CRC32: hex(first) });
    expect((await downloadAll(v1.attrs.downloadhandler ?? '', 65536)).equals(first)).toBe(true);
    expect((await byVersion('/Public/data.txt', '2000000')).attrs.CRC32).toBe(hex(second));
    expect((await byVersion('/Public/data.txt', '0')).attrs).toMatchObject({ VersionNumber: '0', CRC32: hex(second) });
  });

  it.each([
    ['1', 'Invalid version number.'],
    ['999999', 'Invalid version number.'],
    ['-1000000', 'Invalid version number.'],
    ['3000000', 'Version not found.'],
    ['1500000', 'Version not found.'],
  ])('refuses VersionNumber=%s: %s', async (versionNumber, error) => {
    expect((await byVersion('/Public/data.txt', versionNumber)).attrs).toEqual({ success: 'false', error });
  });
});

describe('DownloadFileChunk', () => {
  it('returns base64 chunks with chunkCRC32 that reassemble into the version', async () => {
    const handler = (await getHandler('/Public/data.txt')).attrs.downloadhandler ?? '';
    const head = await chunk(handler, 0, 65536);
    expect(Object.keys(head.attrs)).toEqual(['success', 'filelength', 'chunklength', 'lastchunk', 'chunkCRC32']);
    expect(head.attrs).toMatchObject({ success: 'true', filelength: String(second.length), chunklength: '65536', lastchunk: 'false' });
    expect((await downloadAll(handler, 65536)).equals(second)).toBe(true);
  });

  it('marks lastchunk once StartOffset + ChunkSize reaches filelength; an offset at the end returns nothing', async () => {
    const handler = (await getHandler('/Public/data.txt')).attrs.downloadhandler ?? '';
    const exact = await chunk(handler, second.length - 100, 100);
    expect(exact.attrs).toMatchObject({ chunklength: '100', lastchunk: 'true' });
    const end = await chunk(handler, second.length, 100);
    expect(end.attrs).toMatchObject({ success: 'true', chunklength: '0', lastchunk: 'true', chunkCRC32: '00000000' });
    expect(end.text).toBe('');
  });

  it('refuses a bad offset or chunk size', async () => {
    const handler = (await getHandler('/Public/data.txt')).attrs.downloadhandler ?? '';
    expect((await chunk(handler, second.length + 1, 10)).attrs).toEqual({ success: 'false', error: 'Invalid StartOffset.' });
    expect((await chunk(handler, -1, 10)).attrs).toEqual({ success: 'false', error: 'Invalid StartOffset.' });
    expect((await chunk(handler, 0, 0)).attrs).toEqual({ success: 'false', error: 'Invalid ChunkSize.' });
  });

  it('refuses a non-GUID handler before checking the ticket, and an unknown one after', async () => {
    expect((await chunk('../store.json', 0, 10, DEAD_TICKET)).attrs).toEqual({ success: 'false', error: 'Invalid download handler. (guid)' });
    expect((await chunk(DEAD_TICKET, 0, 10, DEAD_TICKET)).attrs.error).toBe('[901] Session expired or Invalid ticket');
    expect((await chunk(DEAD_TICKET, 0, 10)).attrs).toEqual({ success: 'false', error: 'Download handler not found or expired.' });
  });

  it("refuses another session's handler", async () => {
    const handler = (await getHandler('/Public/data.txt')).attrs.downloadhandler ?? '';
    const other = await login(emulator.url);
    expect((await chunk(handler, 0, 10, other)).attrs).toEqual({ success: 'false', error: 'Download handler not found or expired.' });
  });

  it('keeps serving the staged version after a newer one is uploaded', async () => {
    await uploadDocument(emulator.url, ticket, '/Public/moving.txt', Buffer.from('old content'));
    const handler = (await getHandler('/Public/moving.txt')).attrs.downloadhandler ?? '';
    await uploadDocument(emulator.url, ticket, '/Public/moving.txt', Buffer.from('new content!'));
    expect(Buffer.from((await chunk(handler, 0, 1000)).text, 'base64').toString()).toBe('old content');
  });

  it('expires an idle handler', async () => {
    const handler = (await getHandler('/Public/data.txt')).attrs.downloadhandler ?? '';
    await delay(1100);
    expect((await chunk(handler, 0, 10)).attrs.error).toBe('Download handler not found or expired.');
    expect(emulator.state().downloadHandlers.map((h) => h.id)).not.toContain(handler);
  });
});

describe('DeleteDownloadHandler', () => {
  const remove = (handler: string, who = ticket) =>
    soap(emulator.url, 'DeleteDownloadHandler', [['authenticationTicket', who], ['DownloadHandler', handler]]).then((r) => r.result);

  it('deletes the handler; deleting it again is still a success', async () => {
    const handler = (await getHandler('/Public/data.txt')).attrs.downloadhandler ?? '';
    expect((await remove(handler)).xml).toBe('<response xmlns="" success="true" error="" />');
    expect(emulator.state().downloadHandlers.map((h) => h.id)).not.toContain(handler);
    expect((await remove(handler)).attrs).toEqual({ success: 'true', error: '' });
    expect((await chunk(handler, 0, 10)).attrs.error).toBe('Download handler not found or expired.');
  });

  it('answers "bad Request" for a non-GUID before any ticket check', async () => {
    expect((await remove('not-a-guid', DEAD_TICKET)).attrs).toEqual({ success: 'false', error: 'bad Request' });
    expect((await remove(DEAD_TICKET, DEAD_TICKET)).attrs.error).toBe('[901] Session expired or Invalid ticket');
    expect((await remove(DEAD_TICKET, '')).attrs.error).toBe('[900] Authentication failed');
  });

  it("only deletes the calling session's handler", async () => {
    const handler = (await getHandler('/Public/data.txt')).attrs.downloadhandler ?? '';
    expect((await remove(handler, await login(emulator.url))).attrs.success).toBe('true');
    expect(emulator.state().downloadHandlers.map((h) => h.id)).toContain(handler);
  });
});
