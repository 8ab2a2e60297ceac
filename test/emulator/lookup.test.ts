import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { crcValue, httpGet, login, postForm, resultOf, soap, uploadDocument } from './helpers.js';

let emulator: RunningEmulator;
let ticket: string;
const content = Buffer.from('lookup content');
const crc = crcValue(content).toString(16).padStart(8, '0');

beforeAll(async () => {
  emulator = await startEmulator({ libraries: ['Public', 'Archive'] });
  ticket = await login(emulator.url);
  await uploadDocument(emulator.url, ticket, '/Public/doc.txt', content);
});
afterAll(() => emulator.close());

const call = (op: string, params: [string, string][]) =>
  soap(emulator.url, op, [['authenticationTicket', ticket], ...params]).then((reply) => reply.result);

describe('CreateFolder', () => {
  it('creates missing intermediate folders and answers FolderId and FolderName', async () => {
    const result = await call('CreateFolder', [['Path', '/Public/a/b/c']]);
    expect(Object.keys(result.attrs)).toEqual(['success', 'FolderId', 'FolderName']);
    expect(result.attrs).toMatchObject({ success: 'true', FolderName: 'c' });
    expect(emulator.state().folders).toEqual(expect.arrayContaining(['/Public', '/Archive', '/Public/a', '/Public/a/b', '/Public/a/b/c']));
    const again = await call('CreateFolder', [['Path', '\\public\\A\\b\\C']]);
    expect(again.attrs).toEqual(result.attrs);
  });

  it('sanitizes names', async () => {
    const result = await call('CreateFolder', [['Path', '/Archive/2024: Q1?.']]);
    expect(result.attrs).toMatchObject({ success: 'true', FolderName: '2024_ Q1_' });
    expect(emulator.state().folders).toContain('/Archive/2024_ Q1_');
  });

  it('never creates a library', async () => {
    expect((await call('CreateFolder', [['Path', '/Elsewhere/x']])).xml).toBe('<response xmlns="" error="Folder not found." />');
    expect((await call('CreateFolder', [['Path', '/Elsewhere']])).attrs).toEqual({ success: 'false', error: 'Root-level folders cannot be created.' });
    expect(emulator.state().folders.some((folder) => folder.startsWith('/Elsewhere'))).toBe(false);
  });

  it.each(['/Public/../x', '/Public/./x', ''])('refuses the path %j', async (path) => {
    expect((await call('CreateFolder', [['Path', path]])).attrs).toEqual({ success: 'false', error: 'Invalid path.' });
  });
});

describe('FolderExists', () => {
  it('answers success="true" for a folder, whatever the case or separator', async () => {
    for (const path of ['/Public', 'public', '/Public/a/b', '\\PUBLIC\\A']) {
      expect((await call('FolderExists', [['Path', path]])).xml).toBe('<response xmlns="" success="true" />');
    }
  });

  it('answers a bare error attribute for a missing folder', async () => {
    for (const path of ['/Public/none', '/Nowhere', '/Public/doc.txt', '/Public/../Public']) {
      expect((await call('FolderExists', [['Path', path]])).xml).toBe('<response xmlns="" error="Folder not found." />');
    }
  });
});

describe('DocumentExists', () => {
  it('answers the CRCs of the latest and the published version', async () => {
    const result = await call('DocumentExists', [['Path', '/Public/doc.txt']]);
    expect(result.xml).toBe(`<response xmlns="" success="true" CRC32LASTVERSION="${crc}" CRC32="${crc}" />`);
    expect((await call('DocumentExists', [['Path', '~D1.txt']])).attrs.CRC32LASTVERSION).toBe(crc);
  });

  it.each([
    ['/Public/missing.txt', 'Document not found'],
    ['/Public', 'Document not found'],
    ['~D2.txt', 'Document not found'],
    ['~F1', 'InvalidDocumentIdentifer'],
    ['~x', 'InvalidDocumentIdentifer'],
  ])('refuses %s: %s', async (path, error) => {
    expect((await call('DocumentExists', [['Path', path]])).attrs).toEqual({ success: 'false', error });
  });
});

describe('DocumentExists1', () => {
  const exists1 = (folder: string, name: string) =>
    soap(emulator.url, 'DocumentExists1', [['authenticationTicket', ticket], ['FolderPath', folder], ['DocumentName', name]]).then((r) => r.result.attrs);

  it('resolves the folder, then the name', async () => {
    expect(await exists1('/Public', 'DOC.txt')).toEqual({ success: 'true', CRC32LASTVERSION: crc, CRC32: crc });
    expect(await exists1('/Nowhere', 'doc.txt')).toEqual({ success: 'false', error: 'Folder not found' });
    expect(await exists1('/Public', 'other.txt')).toEqual({ success: 'false', error: 'Document not found' });
    expect(await exists1('/Public', '/doc.txt')).toEqual({ success: 'false', error: 'Document not found' });
    expect(await exists1('', '~D1.txt')).toEqual({ success: 'false', error: 'Folder not found' });
  });

  it('binds its capitalised parameter names exactly over SOAP', async () => {
    const { result } = await soap(emulator.url, 'DocumentExists1', [['authenticationTicket', ticket], ['folderPath', '/Public'], ['documentName', 'doc.txt']]);
    expect(result.attrs.error).toBe('Folder not found');
  });
});

describe('ServerInfo', () => {
  const expectServerFacts = (attrs: Record<string, string>) => {
    expect(attrs).toMatchObject({ success: 'true', VersionNumber: '8.7.0.0', ComplianceModuleIsOn: 'true', WorkflowIsOn: 'false' });
    expect(attrs.Coordinated_Universal_Time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(attrs.Server_date_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(Number(attrs.UTC_Offset)).not.toBeNaN();
  };

  it('answers over SOAP, GET and POST without a ticket', async () => {
    expectServerFacts((await soap(emulator.url, 'ServerInfo')).result.attrs);
    const get = await httpGet(emulator.url, 'ServerInfo', []);
    expect(get.contentType).toBe('text/xml; charset=utf-8');
    expect(get.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><root success="true" /);
    expectServerFacts(resultOf(get.body).attrs);
    expectServerFacts(resultOf((await postForm(emulator.url, 'ServerInfo', [])).body).attrs);
  });
});
