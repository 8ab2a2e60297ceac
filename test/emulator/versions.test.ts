// GetDocumentVersions, GetDocumentVersion, GetDownloadInfo and GetDownloadInfoByVersion over raw HTTP:
// exact parameter names, the documented reply shapes and error strings, and the contradictions the
// emulator makes visible (C34 version 0, C35 small numbers, C37 CheckSum, C39 full stops, C56 order).
import { httpGet, postForm, resultOf, soap, uploadDocument, useEmulator } from './helpers.js';

const env = useEmulator({ users: [{ user: 'demo', password: 'demo' }, { user: 'jsmith', password: 'pw' }] });

const first = Buffer.from('first version');
const second = Buffer.from('the second version, longer');
const crcOf = (data: Buffer) => env.emulator.state().documents.flatMap((d) => d.versions).find((v) => v.size === data.length)?.crc32;

beforeAll(async () => {
  await uploadDocument(env.emulator.url, env.ticket, '/Public/report.pdf', first);
  await uploadDocument(env.emulator.url, env.ticket, '/Public/report.pdf', second);
});

const versionsOf = (path: string, ticketName = 'AuthenticationTicket', pathName = 'Path') =>
  soap(env.emulator.url, 'GetDocumentVersions', [[ticketName, env.ticket], [pathName, path]]);

const children = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}\\b[\\s\\S]*?</${name}>`, 'g'))].map((m) => m[0]);
const childText = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>|<${name} />`).exec(xml)?.[1] ?? (xml.includes(`<${name} />`) ? '' : undefined);

describe('GetDocumentVersions', () => {
  it('lists every version in <Versions>, newest first, each child present', async () => {
    const { result } = await versionsOf('/Public/report.pdf');
    expect(result.attrs).toEqual({ success: 'true', error: '' });
    const versions = children(result.xml, 'Version');
    expect(versions.map((v) => /Number="(\d+)"/.exec(v)?.[1])).toEqual(['2000000', '1000000']);
    const [latest] = versions as [string];
    expect(childText(latest, 'VersionAuthor')).toBe('demo');
    expect(childText(latest, 'VersionAuthorId')).toBe('1');
    expect(childText(latest, 'VersionSize')).toBe(String(second.length));
    expect(childText(latest, 'DateCreated')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(childText(latest, 'DatePublished')).toBe(childText(latest, 'DateCreated'));
    for (const name of ['Comment', 'ApprovalStatus', 'ApprovalDate']) expect(childText(latest, name)).toBe('');
  });

  it('answers a CheckSum that is opaque: not the CRC-32 (C37)', async () => {
    const { result } = await versionsOf('/Public/report.pdf');
    const checksum = childText(children(result.xml, 'Version')[0] as string, 'CheckSum');
    expect(checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(checksum).not.toContain(crcOf(second));
  });

  it('takes ~D paths (C49) and binds its capitalised names exactly over SOAP', async () => {
    const { documentId } = env.emulator.state().documents.find((d) => d.path === '/Public/report.pdf') ?? { documentId: 0 };
    expect(children((await versionsOf(`~D${documentId}.pdf`)).result.xml, 'Version')).toHaveLength(2);
    expect((await versionsOf('/Public/report.pdf', 'authenticationTicket')).result.attrs).toEqual({ success: 'false', error: '[900] Authentication failed' });
    expect((await versionsOf('/Public/report.pdf', 'AuthenticationTicket', 'path')).result.attrs).toEqual({ success: 'false', error: 'Document not found.' });
  });

  it('says "Document not found." with a full stop, as its example does (C39)', async () => {
    expect((await versionsOf('/Public/none.pdf')).result.attrs).toEqual({ success: 'false', error: 'Document not found.' });
  });

  it('answers the same over GET and POST', async () => {
    const params: [string, string][] = [['AuthenticationTicket', env.ticket], ['Path', '/Public/report.pdf']];
    for (const reply of [await httpGet(env.emulator.url, 'GetDocumentVersions', params), await postForm(env.emulator.url, 'GetDocumentVersions', params)]) {
      expect(reply.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><response success="true" error=""><Versions><Version Number="2000000"><VersionAuthor>demo<\/VersionAuthor>/);
      expect(children(resultOf(reply.body).xml, 'Version')).toHaveLength(2);
    }
  });
});

describe('GetDocumentVersion', () => {
  const version = (versionNumber: string, path = '/Public/report.pdf') =>
    soap(env.emulator.url, 'GetDocumentVersion', [['authenticationTicket', env.ticket], ['path', path], ['versionNumber', versionNumber]]).then((r) => r.result);

  it('answers one <Version> by its Number', async () => {
    const result = await version('1000000');
    expect(result.attrs).toEqual({ success: 'true', error: '' });
    expect(children(result.xml, 'Version')).toHaveLength(1);
    expect(childText(result.xml, 'VersionSize')).toBe(String(first.length));
  });

  it('takes 0 as the published version (C34): here the latest, as every upload publishes', async () => {
    expect(childText((await version('0')).xml, 'VersionSize')).toBe(String(second.length));
  });

  it.each(['1', '999999', '3000000', '1000001'])('refuses %s: "Specified version cannot be found." (C35, C55)', async (number) => {
    expect((await version(number)).attrs).toEqual({ success: 'false', error: 'Specified version cannot be found.' });
  });

  it('refuses a missing document without a full stop, as its table prints it', async () => {
    expect((await version('0', '/Public/none.pdf')).attrs).toEqual({ success: 'false', error: 'Document not found' });
  });
});

describe('GetDownloadInfo and GetDownloadInfoByVersion', () => {
  const info = (params: [string, string][], op = 'GetDownloadInfo') =>
    soap(env.emulator.url, op, [['AuthenticationTicket', env.ticket], ...params]).then((r) => r.result);

  it("answers the latest version's facts, VersionNumber 0, and stages nothing", async () => {
    const result = await info([['Path', '/Public/report.pdf']]);
    expect(result.attrs).toEqual({
      success: 'true', Size: String(second.length), ContentType: 'application/pdf', ModificationDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      VersionNumber: '0', AlterDocumentName: 'report.pdf', RenderedContent: 'false', CRC32: crcOf(second),
    });
    expect(env.emulator.state().downloadHandlers).toEqual([]);
  });

  it('answers one version, echoing its VersionNumber; 0 is the latest', async () => {
    const byVersion = (n: string) => info([['Path', '/Public/report.pdf'], ['VersionNumber', n]], 'GetDownloadInfoByVersion');
    expect((await byVersion('1000000')).attrs).toMatchObject({ Size: String(first.length), VersionNumber: '1000000', CRC32: crcOf(first) });
    expect((await byVersion('0')).attrs).toMatchObject({ Size: String(second.length), VersionNumber: '0' });
    expect((await byVersion('5')).attrs).toEqual({ success: 'false', error: 'Invalid version number.' });
    expect((await byVersion('9000000')).attrs).toEqual({ success: 'false', error: 'Version not found.' });
  });

  it('refuses a dead ticket and a missing document', async () => {
    const dead = await soap(env.emulator.url, 'GetDownloadInfo', [['AuthenticationTicket', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'], ['Path', '/Public/report.pdf']]);
    expect(dead.result.attrs).toEqual({ success: 'false', error: '[901] Session expired or Invalid ticket' });
    expect((await info([['Path', '/Public/none.pdf']])).attrs).toEqual({ success: 'false', error: 'Document not found' });
  });
});

describe('the author of a version', () => {
  it('is the user whose upload stored it', async () => {
    const { login } = await import('./helpers.js');
    const other = await login(env.emulator.url, 'jsmith', 'pw');
    await uploadDocument(env.emulator.url, other, '/Public/report.pdf', Buffer.from('third'));
    const latest = children((await versionsOf('/Public/report.pdf')).result.xml, 'Version')[0] as string;
    expect([childText(latest, 'VersionAuthor'), childText(latest, 'VersionAuthorId')]).toEqual(['jsmith', '2']);
  });
});

describe('a version that is not published (C34)', () => {
  it('is the latest for GetDownloadInfoByVersion 0, never the version 0 of GetDocumentVersion', async () => {
    const { stage } = await import('./helpers.js');
    await uploadDocument(env.emulator.url, env.ticket, '/Public/draft.txt', Buffer.from('published'));
    const handler = await stage(env.emulator.url, env.ticket, Buffer.from('a draft, not published'));
    const xmlParameters = '<xmlparameters><item NAME="PUBLISHOPTION" VALUE="DontPublish"/></xmlparameters>';
    const stored = await soap(env.emulator.url, 'UploadDocumentWithHandler3', [['authenticationTicket', env.ticket], ['path', '/Public/draft.txt'], ['uploadHandler', handler], ['xmlParameters', xmlParameters]]);
    expect(stored.result.attrs.success).toBe('true');
    const published = await soap(env.emulator.url, 'GetDocumentVersion', [['authenticationTicket', env.ticket], ['path', '/Public/draft.txt'], ['versionNumber', '0']]);
    expect(/Number="(\d+)"/.exec(published.result.xml)?.[1]).toBe('1000000');
    const latest = await soap(env.emulator.url, 'GetDownloadInfoByVersion', [['AuthenticationTicket', env.ticket], ['Path', '/Public/draft.txt'], ['VersionNumber', '0']]);
    expect(latest.result.attrs.Size).toBe(String('a draft, not published'.length));
    const versions = children((await versionsOf('/Public/draft.txt')).result.xml, 'Version');
    expect(versions.map((v) => childText(v, 'DatePublished') === '')).toEqual([true, false]);
  });
});
