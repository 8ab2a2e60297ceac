// GetFoldersAndDocumentsByPage and GetFoldersAndDocuments1 over raw HTTP: 20 items a page, folders
// and documents mixed (C47), name filters, the end as an empty page, the short form's attributes and
// their version counts (C36), and each operation's own not-found text (C39).
import { httpGet, soap, uploadDocument, useEmulator } from './helpers.js';

const env = useEmulator();

beforeAll(async () => {
  const { emulator, ticket } = env;
  await soap(emulator.url, 'CreateFolder', [['authenticationTicket', ticket], ['Path', '/Public/Big/Sub']]);
  for (let i = 0; i < 12; i += 1) await soap(emulator.url, 'CreateFolder', [['authenticationTicket', ticket], ['Path', `/Public/Big/folder-${String(i).padStart(2, '0')}`]]);
  for (let i = 0; i < 12; i += 1) await uploadDocument(emulator.url, ticket, `/Public/Big/doc-${String(i).padStart(2, '0')}.pdf`, Buffer.from(`content ${i}`));
  await uploadDocument(emulator.url, ticket, '/Public/Big/doc-00.pdf', Buffer.from('second version'));
  await uploadDocument(emulator.url, ticket, '/Public/Big/Sub/deeper.txt', Buffer.from('not a direct child'));
});

const items = (xml: string): string[] => [...xml.matchAll(/<(folder|document) ([^>]*?) \/>/g)].map((m) => `${m[1]} ${/name="([^"]*)"/.exec(m[2] ?? '')?.[1]}`);

describe('GetFoldersAndDocumentsByPage', () => {
  const page = (number: number, filters: [string, string][] = [], path = '/Public/Big') =>
    soap(env.emulator.url, 'GetFoldersAndDocumentsByPage', [['authenticationTicket', env.ticket], ['Path', path], ...filters, ['PageNumber', String(number)]]).then((r) => r.result);

  it('answers 20 direct children a page, documents before folders where their names sort first, then an empty page', async () => {
    const first = await page(1);
    const second = await page(2);
    expect(first.attrs).toEqual({ success: 'true' });
    expect(items(first.xml)).toHaveLength(20);
    expect(items(first.xml).slice(0, 3)).toEqual(['document doc-00.pdf', 'document doc-01.pdf', 'document doc-02.pdf']);
    expect(items(second.xml)).toEqual(['folder folder-08', 'folder folder-09', 'folder folder-10', 'folder folder-11', 'folder Sub']);
    expect([...items(first.xml), ...items(second.xml)]).not.toContain('document deeper.txt');
    expect((await page(3)).xml).toBe('<response xmlns="" success="true" />');
  });

  it("gives a document's versionid, the latest version's internal id: not a Number, not a count (C36)", async () => {
    const document = /<document id="(\d+)" name="doc-00.pdf" versionid="(\d+)" \/>/.exec((await page(1)).xml);
    const stored = env.emulator.state().documents.find((d) => d.path === '/Public/Big/doc-00.pdf');
    expect(Number(document?.[1])).toBe(stored?.documentId);
    expect(Number(document?.[2])).toBe(stored?.versions.at(-1)?.versionId);
    expect(Number(document?.[2]) % 1000000).not.toBe(0);
  });

  it('filters folder and document names by case-insensitive substrings', async () => {
    const result = await page(1, [['FolderFilter', 'SUB'], ['DocumentFilter', '-1']]);
    expect(items(result.xml)).toEqual(['document doc-10.pdf', 'document doc-11.pdf', 'folder Sub']);
  });

  it('refuses a missing folder with "Folder not found." and a page number below 1', async () => {
    expect((await page(1, [], '/Public/None')).attrs).toEqual({ success: 'false', error: 'Folder not found.' });
    expect((await page(0)).attrs).toEqual({ success: 'false', error: 'Invalid PageNumber: pages are numbered from 1.' });
  });

  it('answers over GET too', async () => {
    const reply = await httpGet(env.emulator.url, 'GetFoldersAndDocumentsByPage', [['authenticationTicket', env.ticket], ['Path', '/Public/Big'], ['PageNumber', '2']]);
    expect(items(reply.body)).toHaveLength(5);
  });
});

describe('GetFoldersAndDocuments1', () => {
  const listing = (path: string) => soap(env.emulator.url, 'GetFoldersAndDocuments1', [['authenticationTicket', env.ticket], ['Path', path]]).then((r) => r.result);

  it('lists every direct child at once, folders first, with the folder described on <response>', async () => {
    const result = await listing('public/big/');
    const big = env.emulator.state().folders.indexOf('/Public/Big') + 1;
    expect(result.attrs).toEqual({
      success: 'true', error: '', folderid: String(big), parentid: '1', name: 'Big', path: '/Public/Big', folderfilter: '', documentfilter: '', itemcount: '25',
    });
    const names = [...result.xml.matchAll(/<(f|d) [^>]*?n="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(names.slice(0, 13)).toEqual(['f folder-00', ...Array.from({ length: 11 }, (_, i) => `f folder-${String(i + 1).padStart(2, '0')}`), 'f Sub']);
    expect(names.slice(13)).toEqual(Array.from({ length: 12 }, (_, i) => `d doc-${String(i).padStart(2, '0')}.pdf`));
  });

  it("gives a document's short form, its version fields counts (C36)", async () => {
    const d = /<d [^>]*n="doc-00\.pdf"[^>]*\/>/.exec((await listing('/Public/Big')).xml)?.[0] ?? '';
    const attrs = Object.fromEntries([...d.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(attrs).toMatchObject({ size: String('second version'.length), dformat: 'PDF File', chkoutbyusername: '', chkoutbyfullname: '', version: '2', publishedversion: '2', dtype: '0' });
    for (const date of ['mdate', 'cdate', 'regdate']) expect(attrs[date]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses a missing folder with "Folder not found", without the full stop (C39)', async () => {
    expect((await listing('/Public/None')).attrs).toEqual({ success: 'false', error: 'Folder not found' });
  });
});
