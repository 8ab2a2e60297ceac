import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createUploadHandler, httpGet, login, resultOf, soap, stage, uploadChunk, uploadDocument } from './helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'emulator-storage-test-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('persistence', () => {
  it('keeps documents, versions, folders and ids across a restart with the same data directory', async () => {
    const dataDir = join(root, 'data');
    const v1 = randomBytes(1000);
    const v2 = randomBytes(2000);
    const before = await startEmulator({ dataDir, libraries: ['Public', 'Archive'] });
    const ticket = await login(before.url);
    await soap(before.url, 'CreateFolder', [['authenticationTicket', ticket], ['Path', '/Archive/2024/Q1']]);
    await uploadDocument(before.url, ticket, '/Archive/2024/Q1/report.bin', v1);
    await uploadDocument(before.url, ticket, '/Archive/2024/Q1/report.bin', v2);
    const leftOver = await stage(before.url, ticket, Buffer.from('staged but never finalized'));
    const stateBefore = before.state();
    await before.close();
    expect(existsSync(dataDir)).toBe(true);

    const after = await startEmulator({ dataDir, libraries: ['Public'] });
    try {
      expect(after.state().documents).toEqual(stateBefore.documents);
      expect(after.state().folders).toEqual(stateBefore.folders);
      expect(after.state().uploadHandlers).toEqual([]);
      expect((await readdir(join(dataDir, 'staging'))).length).toBe(0);
      expect((await after.readDocument('/Archive/2024/Q1/report.bin', 1000000)).equals(v1)).toBe(true);
      const newTicket = await login(after.url);
      expect((await uploadChunk(after.url, newTicket, leftOver, Buffer.from('x'), true)).result.attrs.error).toBe('Upload handler not found or expired.');
      const exists = await soap(after.url, 'DocumentExists', [['authenticationTicket', newTicket], ['Path', '/Archive/2024/Q1/report.bin']]);
      expect(exists.result.attrs.success).toBe('true');
      const next = await uploadDocument(after.url, newTicket, '/Public/next.txt', Buffer.from('next'));
      expect(next).toEqual({ documentId: 2, versionId: 1000003 });
    } finally {
      await after.close();
    }
    expect(existsSync(join(dataDir, 'store.json'))).toBe(true);
  });

  it('keeps locks, the recycle bin and the highest version number across a restart', async () => {
    const dataDir = join(root, 'kept');
    const before = await startEmulator({ dataDir });
    const ticket = await login(before.url);
    for (const content of ['1', '2']) await uploadDocument(before.url, ticket, '/Public/locked.txt', Buffer.from(content));
    await uploadDocument(before.url, ticket, '/Public/deleted.txt', Buffer.from('gone'));
    await soap(before.url, 'Lock', [['AuthenticationTicket', ticket], ['Path', '/Public/locked.txt']]);
    await soap(before.url, 'DeleteDocumentVersion', [['authenticationTicket', ticket], ['DocumentPath', '/Public/locked.txt'], ['VersionNumber', '2000000']]);
    await soap(before.url, 'DeleteDocument', [['authenticationTicket', ticket], ['Path', '/Public/deleted.txt']]);
    const stateBefore = before.state();
    await before.close();

    const after = await startEmulator({ dataDir });
    try {
      expect([after.state().documents, after.state().recycleBin]).toEqual([stateBefore.documents, stateBefore.recycleBin]);
      expect(after.state().documents[0]?.checkedOutBy).toBe('demo');
      const newTicket = await login(after.url);
      await uploadDocument(after.url, newTicket, '/Public/locked.txt', Buffer.from('3'));
      expect(after.state().documents[0]?.versions.map((v) => v.versionNumber)).toEqual([1000000, 3000000]);
    } finally {
      await after.close();
    }
  });

  it('removes the default temporary data directory on close', async () => {
    const emulator = await startEmulator();
    const ticket = await login(emulator.url);
    await uploadDocument(emulator.url, ticket, '/Public/temp.txt', Buffer.from('temporary'));
    expect(existsSync(emulator.dataDir)).toBe(true);
    await emulator.close();
    expect(existsSync(emulator.dataDir)).toBe(false);
  });

  it('starts with the configured libraries only', async () => {
    const emulator = await startEmulator({ dataDir: join(root, 'libraries'), libraries: ['Finance', 'HR'] });
    try {
      expect(emulator.state().folders).toEqual(['/Finance', '/HR']);
      const ticket = await login(emulator.url);
      expect((await soap(emulator.url, 'CreateFolder', [['authenticationTicket', ticket], ['Path', '/Public/x']])).result.attrs.error).toBe('Folder not found.');
    } finally {
      await emulator.close();
    }
  });
});

describe('path and handler safety', () => {
  let emulator: RunningEmulator;
  let ticket: string;
  let dataDir: string;
  beforeEach(async () => {
    dataDir = join(root, 'data');
    emulator = await startEmulator({ dataDir });
    ticket = await login(emulator.url);
    await writeFile(join(root, 'secret.txt'), 'outside the data directory');
  });
  afterEach(() => emulator.close());

  const TRAVERSALS = [
    '../secret.txt',
    '/Public/../../secret.txt',
    '..\\..\\secret.txt',
    '\\Public\\..\\..\\secret.txt',
    '/Public/./../secret.txt',
    `${'/..'.repeat(8)}/etc/passwd`,
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    '/Public/doc.txt\u0000.pdf',
    '~D1/../../secret.txt',
  ];

  it.each(TRAVERSALS)('the document path %j never names a file', async (path) => {
    const handler = await stage(emulator.url, ticket, Buffer.from('attack'));
    const finalize = await httpGet(emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', path], ['uploadHandler', handler]]);
    expect(resultOf(finalize.body).attrs.success).toBe('false');
    for (const op of ['DocumentExists', 'FolderExists', 'CreateFolder']) {
      const reply = await httpGet(emulator.url, op, [['authenticationTicket', ticket], ['Path', path]]);
      expect([op, resultOf(reply.body).attrs.success]).not.toEqual([op, 'true']);
    }
    const download = await httpGet(emulator.url, 'GetDownloadHandler', [['AuthenticationTicket', ticket], ['Path', path], ['PreferedChunkSize', '0']]);
    expect(resultOf(download.body).attrs.success).toBe('false');
    expect((await readdir(root)).sort()).toEqual(['data', 'secret.txt']);
    expect(emulator.state().documents).toEqual([]);
  });

  const HANDLERS = ['../store.json', '../../secret.txt', '..%2Fstore.json', 'a1b2c3d4-e5f6-7890-abcd-ef1234567890/../../store', '/etc/passwd', 'a1b2c3d4-e5f6-7890-abcd-ef1234567890\u0000', '{a1b2c3d4-e5f6-7890-abcd-ef1234567890}'];

  it.each(HANDLERS)('the handler %j is refused before it could name a file', async (handler) => {
    const chunk = await httpGet(emulator.url, 'UploadFileChunk', [['authenticationTicket', ticket], ['uploadHandler', handler], ['fileChunk', 'eA=='], ['chunkHEXCRC', '8CDC1683'], ['lastChunk', 'true']]);
    expect(resultOf(chunk.body).attrs.error).toBe('Invalid upload handler.');
    const finalize = await httpGet(emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/x.txt'], ['uploadHandler', handler]]);
    expect(resultOf(finalize.body).attrs.error).toBe('Invalid upload handler.');
    for (const [op, param] of [['DeleteUploadHandler', 'UploadHandler'], ['DeleteDownloadHandler', 'DownloadHandler']]) {
      const reply = await httpGet(emulator.url, op ?? '', [['authenticationTicket', ticket], [param ?? '', handler]]);
      expect(resultOf(reply.body).attrs.error).toBe('bad Request');
    }
    const download = await httpGet(emulator.url, 'DownloadFileChunk', [['authenticationTicket', ticket], ['DownloadHandler', handler], ['StartOffset', '0'], ['ChunkSize', '10']]);
    expect(resultOf(download.body).attrs.error).toBe('Invalid download handler. (guid)');
    expect(existsSync(join(dataDir, 'store.json'))).toBe(true);
    expect((await readdir(root)).sort()).toEqual(['data', 'secret.txt']);
  });

  it('normalizes separators and case (never spaces: names are kept as given), so the same document is reached however it is written', async () => {
    await soap(emulator.url, 'CreateFolder', [['authenticationTicket', ticket], ['Path', '/Public/Sub']]);
    await uploadDocument(emulator.url, ticket, '\\Public\\Sub\\Doc.txt', Buffer.from('one'));
    await uploadDocument(emulator.url, ticket, 'public//sub/doc.txt', Buffer.from('two'));
    expect(emulator.state().documents.map((d) => [d.path, d.versions.length])).toEqual([['/Public/Sub/Doc.txt', 2]]);
    const content = await readdir(join(dataDir, 'content'));
    expect(content.sort()).toEqual(['1000001', '1000002']);
  });

  it('stages handlers as files named by server-made GUIDs only', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    expect(await readdir(join(dataDir, 'staging'))).toEqual([`${handler}.upload`]);
    await soap(emulator.url, 'DeleteUploadHandler', [['authenticationTicket', ticket], ['UploadHandler', handler.toUpperCase()]]);
    expect(await readdir(join(dataDir, 'staging'))).toEqual([]);
  });
});
