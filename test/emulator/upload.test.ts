import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createUploadHandler, crcHex, crcValue, DEAD_TICKET, login, soap, stage, uploadChunk } from './helpers.js';

const SMALL = 262144;

let emulator: RunningEmulator;
let ticket: string;
beforeAll(async () => {
  emulator = await startEmulator({
    defaultChunkSize: 524288,
    users: [
      { user: 'demo', password: 'demo' },
      { user: 'other', password: 'other' },
    ],
  });
  ticket = await login(emulator.url);
});
afterAll(() => emulator.close());

const handlerState = (id: string) => emulator.state().uploadHandlers.find((handler) => handler.id === id);

describe('CreateUploadHandler', () => {
  it('answers <response success error UploadHandler ChunkSize>', async () => {
    const { result } = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '4194304']]);
    expect(result.name).toBe('response');
    expect(Object.keys(result.attrs)).toEqual(['success', 'error', 'UploadHandler', 'ChunkSize']);
    expect(result.attrs).toMatchObject({ success: 'true', error: '', ChunkSize: '4194304' });
    expect(handlerState(result.attrs.UploadHandler ?? '')).toMatchObject({ user: 'demo', bytes: 0, complete: false, chunkSize: 4194304 });
  });

  it.each([
    ['0', '524288'],
    ['1', '262144'],
    ['-5', '262144'],
    ['262143', '262144'],
    ['33554433', '33554432'],
    ['2000000000', '33554432'],
    ['1000000', '1000000'],
  ])('grants PreferedChunkSize=%s as %s', async (requested, granted) => {
    const { result } = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', requested]]);
    expect(result.attrs.ChunkSize).toBe(granted);
  });
});

describe('UploadFileChunk', () => {
  it('appends CRC-verified chunks and reports filehexcrc, the whole file CRC, on the last one', async () => {
    const content = randomBytes(SMALL * 2 + 100);
    const handler = await createUploadHandler(emulator.url, ticket, SMALL);
    const replies = [];
    for (let offset = 0; offset < content.length; offset += SMALL) {
      const chunk = content.subarray(offset, offset + SMALL);
      replies.push((await uploadChunk(emulator.url, ticket, handler, chunk, offset + SMALL >= content.length)).result);
    }
    expect(replies.map((reply) => reply.xml)).toEqual([
      '<root xmlns="" success="true" tryagain="false" />',
      '<root xmlns="" success="true" tryagain="false" />',
      `<root xmlns="" success="true" tryagain="false" filehexcrc="${crcValue(content).toString(16).padStart(8, '0')}" />`,
    ]);
    expect(handlerState(handler)).toMatchObject({ bytes: content.length, complete: true });
  });

  it('reads chunkHEXCRC in any case, with or without leading zeros', async () => {
    let chunk = Buffer.from('x');
    for (let i = 0; crcValue(chunk) >= 0x10000000; i += 1) chunk = Buffer.from(`leading zero ${i}`);
    const crc = crcValue(chunk);
    for (const text of [crc.toString(16), crc.toString(16).toUpperCase(), crc.toString(16).padStart(8, '0'), crc.toString(16).padStart(8, '0').toUpperCase()]) {
      const handler = await createUploadHandler(emulator.url, ticket);
      const { result } = await uploadChunk(emulator.url, ticket, handler, chunk, true, text);
      expect([text, result.attrs.tryagain]).toEqual([text, 'false']);
    }
  });

  it('answers tryagain="true" on a CRC mismatch and appends nothing; the resent chunk is accepted', async () => {
    const chunk = randomBytes(SMALL);
    const handler = await createUploadHandler(emulator.url, ticket, SMALL);
    const wrong = ((crcValue(chunk) ^ 1) >>> 0).toString(16);
    expect((await uploadChunk(emulator.url, ticket, handler, chunk, false, wrong)).result.attrs).toEqual({ success: 'true', tryagain: 'true' });
    expect(handlerState(handler)?.bytes).toBe(0);
    expect((await uploadChunk(emulator.url, ticket, handler, chunk, false)).result.attrs).toEqual({ success: 'true', tryagain: 'false' });
    expect(handlerState(handler)?.bytes).toBe(SMALL);
  });

  it('refuses a chunkHEXCRC that is not hex', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    const { result } = await uploadChunk(emulator.url, ticket, handler, Buffer.from('abc'), true, 'not-hex');
    expect(result.attrs).toEqual({ success: 'false', error: 'Invalid chunkHEXCRC: expected a hexadecimal CRC-32.' });
  });

  it('refuses a short non-last chunk, an oversized chunk and a chunk after the last, appending nothing', async () => {
    const handler = await createUploadHandler(emulator.url, ticket, SMALL);
    const short = await uploadChunk(emulator.url, ticket, handler, randomBytes(SMALL - 1), false);
    expect(short.result.attrs).toEqual({ success: 'false', error: "Only the last chunk may differ from the handler's ChunkSize (262144)." });
    const oversized = await uploadChunk(emulator.url, ticket, handler, randomBytes(SMALL + 1), true);
    expect(oversized.result.attrs).toEqual({ success: 'false', error: "The chunk is larger than the handler's ChunkSize (262144)." });
    expect(handlerState(handler)?.bytes).toBe(0);
    await uploadChunk(emulator.url, ticket, handler, Buffer.from('end'), true);
    const after = await uploadChunk(emulator.url, ticket, handler, Buffer.from('more'), true);
    expect(after.result.attrs).toEqual({ success: 'false', error: 'The upload handler already received its last chunk.' });
    expect(handlerState(handler)?.bytes).toBe(3);
  });

  it('accepts an empty file: one empty chunk with CRC 0 and lastChunk=true', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    const { result } = await uploadChunk(emulator.url, ticket, handler, Buffer.alloc(0), true, '0');
    expect(result.attrs).toEqual({ success: 'true', tryagain: 'false', filehexcrc: '00000000' });
    const stored = await soap(emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/empty.txt'], ['uploadHandler', handler]]);
    expect(stored.result.attrs.success).toBe('true');
    expect((await emulator.readDocument('/Public/empty.txt')).length).toBe(0);
  });

  it('answers "Invalid upload handler." for a non-GUID and a not-found error for an unknown GUID', async () => {
    expect((await uploadChunk(emulator.url, ticket, 'abc', Buffer.from('x'), true)).result.attrs).toEqual({ success: 'false', error: 'Invalid upload handler.' });
    expect((await uploadChunk(emulator.url, ticket, DEAD_TICKET, Buffer.from('x'), true)).result.attrs).toEqual({ success: 'false', error: 'Upload handler not found or expired.' });
  });

  it('checks the ticket: [900] when missing, [901] when unknown', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    expect((await uploadChunk(emulator.url, '', handler, Buffer.from('x'), true)).result.attrs.error).toBe('[900] Authentication failed');
    expect((await uploadChunk(emulator.url, DEAD_TICKET, handler, Buffer.from('x'), true)).result.attrs.error).toBe('[901] Session expired or Invalid ticket');
    expect(handlerState(handler)?.bytes).toBe(0);
  });
});

describe('handler binding', () => {
  it('binds a handler to the session that created it', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    const sameUserOtherSession = await login(emulator.url);
    const otherUser = await login(emulator.url, 'other', 'other');
    for (const foreign of [sameUserOtherSession, otherUser]) {
      const { result } = await uploadChunk(emulator.url, foreign, handler, Buffer.from('x'), true);
      expect(result.attrs).toEqual({ success: 'false', error: 'Invalid upload handler.' });
    }
    const finalize = await soap(emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', otherUser], ['path', '/Public/x.txt'], ['uploadHandler', handler]]);
    expect(finalize.result.attrs.error).toBe('Invalid upload handler.');
    const deleted = await soap(emulator.url, 'DeleteUploadHandler', [['authenticationTicket', otherUser], ['UploadHandler', handler]]);
    expect(deleted.result.attrs).toEqual({ success: 'true', error: '' });
    expect(handlerState(handler)).toBeDefined();
  });

  it('discards a handler when its session ends (LogOut or expiry): nothing can use it any more', async () => {
    const owner = await login(emulator.url);
    const handler = await createUploadHandler(emulator.url, owner);
    expect(handlerState(handler)).toBeDefined();
    await soap(emulator.url, 'LogOut', [['AuthenticationTicket', owner]]);
    expect(handlerState(handler)).toBeUndefined();
    const expiring = await login(emulator.url);
    const second = await createUploadHandler(emulator.url, expiring);
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1] });
    await soap(emulator.url, 'FolderExists', [['authenticationTicket', expiring], ['Path', '/Public']]);
    emulator.faults.clear();
    expect(handlerState(second)).toBeUndefined();
  });

  it("with handlerBinding 'user', any session of the same user may use it, other users may not", async () => {
    const byUser = await startEmulator({ handlerBinding: 'user', users: [{ user: 'demo', password: 'demo' }, { user: 'other', password: 'other' }] });
    try {
      const first = await login(byUser.url);
      const handler = await createUploadHandler(byUser.url, first);
      const second = await login(byUser.url);
      expect((await uploadChunk(byUser.url, second, handler, Buffer.from('x'), true)).result.attrs.success).toBe('true');
      const other = await login(byUser.url, 'other', 'other');
      expect((await uploadChunk(byUser.url, other, handler, Buffer.from('x'), true)).result.attrs.error).toBe('Invalid upload handler.');
    } finally {
      await byUser.close();
    }
  });
});

describe('handler expiry', () => {
  it('expires an idle handler and deletes its staged file; activity keeps it alive', async () => {
    const quick = await startEmulator({ handlerTtlMs: 500 });
    try {
      const quickTicket = await login(quick.url);
      const idle = await createUploadHandler(quick.url, quickTicket, SMALL);
      const busy = await createUploadHandler(quick.url, quickTicket, SMALL);
      for (let i = 0; i < 4; i += 1) {
        await delay(150);
        expect((await uploadChunk(quick.url, quickTicket, busy, randomBytes(SMALL), false)).result.attrs.tryagain).toBe('false');
      }
      expect(quick.state().uploadHandlers.map((handler) => handler.id)).toEqual([busy]);
      expect((await uploadChunk(quick.url, quickTicket, idle, Buffer.from('late'), true)).result.attrs.error).toBe('Upload handler not found or expired.');
      let staged = await readdir(join(quick.dataDir, 'staging'));
      for (let tries = 0; staged.length > 1 && tries < 20; tries += 1) {
        await delay(25);
        staged = await readdir(join(quick.dataDir, 'staging'));
      }
      expect(staged).toEqual([`${busy}.upload`]);
    } finally {
      await quick.close();
    }
  });
});

describe('finalizers', () => {
  const finalize = (op: string, params: [string, string][]) => soap(emulator.url, op, params).then((reply) => reply.result);

  it('UploadDocumentWithHandler creates a document, then new versions of it', async () => {
    const first = randomBytes(1000);
    const second = randomBytes(300_000);
    const created = await finalize('UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/report.bin'], ['uploadHandler', await stage(emulator.url, ticket, first)]]);
    expect(created.name).toBe('root');
    expect(Object.keys(created.attrs)).toEqual(['success', 'DocumentId', 'VersionId']);
    const updated = await finalize('UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/public/REPORT.bin'], ['uploadHandler', await stage(emulator.url, ticket, second)]]);
    expect(updated.attrs.DocumentId).toBe(created.attrs.DocumentId);
    expect(Number(updated.attrs.VersionId)).toBe(Number(created.attrs.VersionId) + 1);
    const document = emulator.state().documents.find((candidate) => candidate.path === '/Public/report.bin');
    expect(document?.versions.map((version) => [version.versionNumber, version.size, version.crc32])).toEqual([
      [1000000, 1000, crcHex(first).toLowerCase().padStart(8, '0')],
      [2000000, 300_000, crcHex(second).toLowerCase().padStart(8, '0')],
    ]);
    expect((await emulator.readDocument('/Public/report.bin')).equals(second)).toBe(true);
    expect((await emulator.readDocument('/Public/report.bin', 1000000)).equals(first)).toBe(true);
    expect(emulator.state().uploadHandlers.some((handler) => handler.bytes === 300_000)).toBe(false);
  });

  it('refuses a handler that never got lastChunk=true, and consumes it', async () => {
    const handler = await createUploadHandler(emulator.url, ticket, SMALL);
    await uploadChunk(emulator.url, ticket, handler, randomBytes(SMALL), false);
    const params: [string, string][] = [['authenticationTicket', ticket], ['path', '/Public/incomplete.bin'], ['uploadHandler', handler]];
    expect((await finalize('UploadDocumentWithHandler', params)).attrs).toEqual({ success: 'false', error: 'The upload handler has not received its last chunk (lastChunk=true).' });
    expect(handlerState(handler)).toBeUndefined();
    expect((await finalize('UploadDocumentWithHandler', params)).attrs.error).toBe('Upload handler not found or expired.');
  });

  it('consumes the handler on failure too (folder not found, invalid path)', async () => {
    for (const [path, error] of [['/Public/missing/doc.txt', 'Folder not found.'], ['/Public/../doc.txt', 'Invalid path.'], ['/Public/a|b.txt', 'Invalid document name.'], ['Public', 'Invalid path.']]) {
      const handler = await stage(emulator.url, ticket, Buffer.from('content'));
      expect((await finalize('UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', path ?? ''], ['uploadHandler', handler]])).attrs).toEqual({ success: 'false', error });
      expect(handlerState(handler)).toBeUndefined();
    }
    expect(emulator.state().documents.some((document) => document.path.includes('doc.txt'))).toBe(false);
  });

  it('does not consume the handler on an auth failure', async () => {
    const handler = await stage(emulator.url, ticket, Buffer.from('content'));
    expect((await finalize('UploadDocumentWithHandler', [['authenticationTicket', DEAD_TICKET], ['path', '/Public/a.txt'], ['uploadHandler', handler]])).attrs.error).toBe('[901] Session expired or Invalid ticket');
    expect(handlerState(handler)).toBeDefined();
    expect((await finalize('UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/a.txt'], ['uploadHandler', 'nope']])).attrs.error).toBe('Invalid upload handler.');
  });

  it('UploadDocumentWithHandler1 stores versionComments', async () => {
    const handler = await stage(emulator.url, ticket, Buffer.from('v1'));
    const result = await finalize('UploadDocumentWithHandler1', [['authenticationTicket', ticket], ['path', '/Public/commented.txt'], ['uploadHandler', handler], ['versionComments', 'first draft']]);
    expect(result.attrs.success).toBe('true');
    expect(emulator.state().documents.find((d) => d.path === '/Public/commented.txt')?.versions[0]?.comment).toBe('first draft');
  });

  it('UploadDocumentWithHandler2 stores a manual version label and checks its ranges', async () => {
    const base: [string, string][] = [['authenticationTicket', ticket], ['path', '/Public/labelled.txt']];
    const ok = await finalize('UploadDocumentWithHandler2', [...base, ['uploadHandler', await stage(emulator.url, ticket, Buffer.from('x'))], ['mpVersionMajor', '2'], ['mpVersionMinor', '0'], ['mpVersionRevision', '1']]);
    expect(ok.attrs.success).toBe('true');
    expect(emulator.state().documents.find((d) => d.path === '/Public/labelled.txt')?.versions[0]?.label).toBe('2.0.1');
    const cases: [string, string, string, string][] = [
      ['0', '0', '0', 'Invalid version component: mpVersionMajor must be between 1 and 2400.'],
      ['2401', '0', '0', 'Invalid version component: mpVersionMajor must be between 1 and 2400.'],
      ['1', '1000', '0', 'Invalid version component: mpVersionMinor must be between 0 and 999.'],
      ['1', '0', '-1', 'Invalid version component: mpVersionRevision must be between 0 and 999.'],
    ];
    for (const [major, minor, revision, error] of cases) {
      const handler = await stage(emulator.url, ticket, Buffer.from('x'));
      const result = await finalize('UploadDocumentWithHandler2', [...base, ['uploadHandler', handler], ['mpVersionMajor', major], ['mpVersionMinor', minor], ['mpVersionRevision', revision]]);
      expect(result.attrs).toEqual({ success: 'false', error });
    }
  });

  it('UploadDocumentWithHandler3 parses and stores xmlParameters', async () => {
    const xml =
      '<xmlparameters><item NAME="VERSIONCOMMENT" VALUE="quarterly &amp; final"/><item name="keywords">finance, 2024</item>' +
      '<item NAME="PUBLISHOPTION" VALUE="DontPublish"/><item NAME="CHECKOUT" VALUE="TRUE"/><item NAME="CREATIONDATE" VALUE="2024-03-01"/>' +
      '<item NAME="MPVERSIONMAJOR" VALUE="3"/><item NAME="UNKNOWNKEY" VALUE="ignored"/></xmlparameters>';
    const handler = await stage(emulator.url, ticket, Buffer.from('with options'));
    const result = await finalize('UploadDocumentWithHandler3', [['authenticationTicket', ticket], ['path', '/Public/options.txt'], ['uploadHandler', handler], ['xmlParameters', xml]]);
    expect(result.attrs.success).toBe('true');
    const version = emulator.state().documents.find((d) => d.path === '/Public/options.txt')?.versions[0];
    expect(version).toMatchObject({
      comment: 'quarterly & final',
      label: '3.0.0',
      published: false,
      parameters: { VERSIONCOMMENT: 'quarterly & final', KEYWORDS: 'finance, 2024', PUBLISHOPTION: 'DontPublish', CHECKOUT: 'TRUE', CREATIONDATE: '2024-03-01', MPVERSIONMAJOR: '3' },
    });
    const exists = await soap(emulator.url, 'DocumentExists', [['authenticationTicket', ticket], ['Path', '/Public/options.txt']]);
    expect(exists.result.attrs).toEqual({ success: 'true', CRC32LASTVERSION: crcHex(Buffer.from('with options')).toLowerCase().padStart(8, '0'), CRC32: '' });
  });

  it.each([
    ['<xmlparameters><item NAME="CHECKOUT" VALUE="yes"/></xmlparameters>', 'Invalid parameter value: CHECKOUT.'],
    ['<xmlparameters><item NAME="PUBLISHOPTION" VALUE="Later"/></xmlparameters>', 'Invalid parameter value: PUBLISHOPTION.'],
    ['<xmlparameters><item NAME="MODIFICATIONDATE" VALUE="01/02/2024"/></xmlparameters>', 'Invalid parameter value: MODIFICATIONDATE.'],
    ['<xmlparameters><item NAME="MPVERSIONMINOR" VALUE="1000"/></xmlparameters>', 'Invalid parameter value: MPVERSIONMINOR.'],
    ['<xmlparameters><item NAME="DESCRIPTION"', 'Invalid parameter value: xmlParameters.'],
    ['<options/>', 'Invalid parameter value: xmlParameters.'],
    ['<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xmlparameters><item NAME="DESCRIPTION" VALUE="&e;"/></xmlparameters>', 'Invalid parameter value: xmlParameters.'],
  ])('UploadDocumentWithHandler3 refuses %s', async (xml, error) => {
    const handler = await stage(emulator.url, ticket, Buffer.from('x'));
    const result = await finalize('UploadDocumentWithHandler3', [['authenticationTicket', ticket], ['path', '/Public/refused.txt'], ['uploadHandler', handler], ['xmlParameters', xml]]);
    expect(result.attrs).toEqual({ success: 'false', error });
    expect(handlerState(handler)).toBeUndefined();
  });

  it('UploadDocumentWithHandler3 with xmlParameters="" uses the defaults', async () => {
    const handler = await stage(emulator.url, ticket, Buffer.from('defaults'));
    const result = await finalize('UploadDocumentWithHandler3', [['authenticationTicket', ticket], ['path', '/Public/defaults.txt'], ['uploadHandler', handler], ['xmlParameters', '']]);
    expect(result.attrs.success).toBe('true');
    expect(emulator.state().documents.find((d) => d.path === '/Public/defaults.txt')?.versions[0]).toMatchObject({ comment: '', label: '', published: true, parameters: {} });
  });

  it('UploadNewDocumentWidthHandler creates new documents only', async () => {
    const params = async (name: string, folder = '/Public'): Promise<[string, string][]> => [
      ['authenticationTicket', ticket],
      ['folderPath', folder],
      ['documentName', name],
      ['uploadHandler', await stage(emulator.url, ticket, Buffer.from(name))],
      ['xmlParameters', '<xmlparameters><item NAME="DESCRIPTION" VALUE="new"/></xmlparameters>'],
    ];
    const created = await finalize('UploadNewDocumentWidthHandler', await params('brand-new.txt'));
    expect(created.attrs.success).toBe('true');
    expect(emulator.state().documents.find((d) => d.path === '/Public/brand-new.txt')?.versions[0]?.parameters).toEqual({ DESCRIPTION: 'new' });
    const clash = await params('BRAND-NEW.txt');
    expect((await finalize('UploadNewDocumentWidthHandler', clash)).attrs).toEqual({ success: 'false', error: 'Document already exists.' });
    expect(handlerState(clash[3]?.[1] ?? '')).toBeUndefined();
    expect(emulator.state().documents.find((d) => d.path === '/Public/brand-new.txt')?.versions).toHaveLength(1);
    expect((await finalize('UploadNewDocumentWidthHandler', await params('x.txt', '/Public/nowhere'))).attrs.error).toBe('Folder not found.');
    expect((await finalize('UploadNewDocumentWidthHandler', await params('sub/x.txt'))).attrs.error).toBe('Invalid document name.');
  });
});
