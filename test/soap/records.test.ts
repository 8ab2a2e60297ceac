// Results that hold child records (GetDocumentVersions' <Versions><Version Number=…>…): read into
// typed arrays by every binding, tolerant of what servers vary (unknown children, missing advisory
// children, children in any order or namespace, numbers with white space), strict about what a
// workflow needs (a version's Number, the list itself).
import nock from '../helpers/nock.js';
import { CheckedOutError, createSrvClient, MalformedReplyError, NotFoundError, type SrvClient } from '../../src/index.js';

const BASE = 'http://srv.test';
const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const PATH = '/Finance/Reports/Q1-2024-Report.pdf';

const DOCUMENTED = `<response success="true" error="">
  <Versions>
    <Version Number="1000000">
      <VersionAuthor>jsmith</VersionAuthor>
      <VersionAuthorId>7</VersionAuthorId>
      <VersionSize>102400</VersionSize>
      <CheckSum>a1b2c3d4e5f6</CheckSum>
      <DateCreated>2024-03-10T08:15:00.000Z</DateCreated>
      <DatePublished>2024-03-11T09:00:00.000Z</DatePublished>
      <Comment>Initial upload</Comment>
      <ApprovalStatus>Approved</ApprovalStatus>
      <ApprovalDate>2024-03-12T10:00:00.000Z</ApprovalDate>
    </Version>
    <Version Number="2000000">
      <VersionAuthor>jdoe</VersionAuthor>
      <VersionAuthorId>8</VersionAuthorId>
      <VersionSize>204800</VersionSize>
      <CheckSum></CheckSum>
      <CheckSumError>file is offline</CheckSumError>
      <DateCreated>2024-04-01T00:00:00.000Z</DateCreated>
      <DatePublished></DatePublished>
      <Comment>N/A error:unreadable</Comment>
      <ApprovalStatus>Pending</ApprovalStatus>
      <ApprovalDate/>
    </Version>
  </Versions>
</response>`;

const FIRST = {
  Number: 1000000, VersionAuthor: 'jsmith', VersionAuthorId: 7, VersionSize: 102400, CheckSum: 'a1b2c3d4e5f6',
  DateCreated: '2024-03-10T08:15:00.000Z', DatePublished: '2024-03-11T09:00:00.000Z', Comment: 'Initial upload',
  ApprovalStatus: 'Approved', ApprovalDate: '2024-03-12T10:00:00.000Z',
};
const SECOND = {
  Number: 2000000, VersionAuthor: 'jdoe', VersionAuthorId: 8, VersionSize: 204800, CheckSum: '', CheckSumError: 'file is offline',
  DateCreated: '2024-04-01T00:00:00.000Z', DatePublished: '', Comment: 'N/A error:unreadable', ApprovalStatus: 'Pending', ApprovalDate: '',
};

const envelope = (op: string, inner: string, soapNs: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${soapNs}"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;

type Binding = 'soap11' | 'soap12' | 'http-post';
const clients = new Map<Binding, SrvClient>();
beforeAll(async () => {
  for (const binding of ['soap11', 'soap12', 'http-post'] as const) clients.set(binding, await createSrvClient({ url: `${BASE}/srv.asmx`, binding }));
});
afterAll(() => {
  for (const client of clients.values()) client.close();
});

function replyOnce(binding: Binding, op: string, inner: string): void {
  if (binding === 'http-post') {
    nock(BASE).post(`/srv.asmx/${op}`).reply(200, `<?xml version="1.0" encoding="utf-8"?>${inner}`, { 'Content-Type': 'text/xml; charset=utf-8' });
    return;
  }
  const [soapNs, type] = binding === 'soap11' ? [SOAP11, 'text/xml; charset=utf-8'] : [SOAP12, 'application/soap+xml; charset=utf-8'];
  nock(BASE).post('/srv.asmx').reply(200, envelope(op, inner.replace('<response ', '<response xmlns="" '), soapNs), { 'Content-Type': type });
}

const client = (binding: Binding) => clients.get(binding) as SrvClient;
const versions = (binding: Binding) => client(binding).GetDocumentVersions({ AuthenticationTicket: TICKET, Path: PATH });

describe.each(['soap11', 'soap12', 'http-post'] as const)('over %s', (binding) => {
  test('GetDocumentVersions: the documented reply is a typed array of versions', async () => {
    replyOnce(binding, 'GetDocumentVersions', DOCUMENTED);
    await expect(versions(binding)).resolves.toEqual({ success: true, error: '', Versions: [FIRST, SECOND] });
  });

  test('one version and an empty list are arrays too', async () => {
    replyOnce(binding, 'GetDocumentVersions', '<response success="true"><Versions><Version Number="1000000"/></Versions></response>');
    await expect(versions(binding)).resolves.toEqual({ success: true, Versions: [{ Number: 1000000 }] });
    replyOnce(binding, 'GetDocumentVersions', '<response success="true" error=""><Versions/></response>');
    await expect(versions(binding)).resolves.toEqual({ success: true, error: '', Versions: [] });
  });

  test('unknown children are ignored; missing or unparsable advisory children are undefined; numbers may carry white space', async () => {
    const inner = `<response success="true"><Extra a="1"><Deep/></Extra><Versions><Note>new in 9.0</Note>
      <Version Number=" 3000000 "><Label>3.0</Label><VersionSize> 1073741824 </VersionSize><VersionAuthorId>n/a</VersionAuthorId><Comment/></Version>
      </Versions></response>`;
    replyOnce(binding, 'GetDocumentVersions', inner);
    await expect(versions(binding)).resolves.toEqual({ success: true, Versions: [{ Number: 3000000, VersionSize: 1073741824, Comment: '' }] });
  });

  test('children are matched by local name, exactly first, then case-insensitively, in any order and namespace', async () => {
    const inner = '<response success="true"><versions xmlns="urn:v"><x:VERSION xmlns:x="urn:x" number="1000000"><versionsize>10</versionsize><x:Comment>c</x:Comment></x:VERSION></versions></response>';
    replyOnce(binding, 'GetDocumentVersions', inner);
    await expect(versions(binding)).resolves.toEqual({ success: true, Versions: [{ Number: 1000000, VersionSize: 10, Comment: 'c' }] });
  });

  test('a version without a Number, or a reply without the list, is malformed', async () => {
    replyOnce(binding, 'GetDocumentVersions', '<response success="true"><Versions><Version Number="1000000"/><Version><VersionSize>1</VersionSize></Version></Versions></response>');
    await expect(versions(binding)).rejects.toThrow(MalformedReplyError);
    replyOnce(binding, 'GetDocumentVersions', '<response success="true"><Versions><Version Number="v2"/></Versions></response>');
    await expect(versions(binding)).rejects.toThrow(/result element's Versions 1 has a malformed Number \("v2"\)/);
    replyOnce(binding, 'GetDocumentVersions', '<response success="true"/>');
    await expect(versions(binding)).rejects.toThrow(/result element has no Versions element/);
  });

  test('GetDocumentVersion: one record; a failure is the typed error of its text (C55)', async () => {
    const op = () => client(binding).GetDocumentVersion({ authenticationTicket: TICKET, path: PATH, versionNumber: 1000000 });
    replyOnce(binding, 'GetDocumentVersion', '<response success="true" error=""><Version Number="1000000"><VersionSize>102400</VersionSize></Version></response>');
    await expect(op()).resolves.toEqual({ success: true, error: '', Version: { Number: 1000000, VersionSize: 102400 } });
    replyOnce(binding, 'GetDocumentVersion', '<response success="false" error="Specified version cannot be found."/>');
    await expect(op()).rejects.toThrow(NotFoundError);
  });

  test('settings: a non-numeric limit is unknown, never 0 (C42); TRUE and true are both booleans; an administrator\'s extras are ignored', async () => {
    replyOnce(binding, 'getApplicationParameters', '<response success="true" error=""><PARAMETERS><WEBDAV>TRUE</WEBDAV><FILEUPLOADLIMIT>unlimited</FILEUPLOADLIMIT><SMTPSENDPASSWORD>****</SMTPSENDPASSWORD><WarehousePaths><wh whno="00" path="D:\\wh"/></WarehousePaths></PARAMETERS></response>');
    await expect(client(binding).getApplicationParameters({ AuthenticationTicket: TICKET })).resolves.toEqual({ success: true, error: '', PARAMETERS: { WEBDAV: true } });
    replyOnce(binding, 'GetGeneralAppSettings', '<response success="true"><GeneralSettings><WebDav>false</WebDav><UploadSettings><DocumentMaxSize>78643200</DocumentMaxSize></UploadSettings><Workdays><Monday>true</Monday></Workdays></GeneralSettings></response>');
    await expect(client(binding).GetGeneralAppSettings({ authenticationTicket: TICKET })).resolves.toEqual({
      success: true, GeneralSettings: { WebDav: false, UploadSettings: { DocumentMaxSize: 78643200 } },
    });
  });

  test("a bulk failure's log entries are in its error, directly under the result (Lock) or in <logs>, classified by their text (C45, C57)", async () => {
    replyOnce(binding, 'Lock', '<response success="false" error="[log]"><log><item>Budget.xlsx</item><error>Document is checked out by John Smith.</error></log><log><item>Plan.docx</item><error>Completed documents cannot be checked out.</error></log></response>');
    const locked = client(binding).Lock({ AuthenticationTicket: TICKET, Path: '/Finance' });
    await expect(locked).rejects.toThrow(CheckedOutError);
    await expect(locked).rejects.toMatchObject({ serverMessage: '[log] Budget.xlsx: Document is checked out by John Smith.; Plan.docx: Completed documents cannot be checked out.' });
    replyOnce(binding, 'GetCheckedoutDocuments', '<response success="false"><logs><log><item>x</item><error>odd</error></log></logs></response>');
    await expect(client(binding).GetCheckedoutDocuments({ AuthenticationTicket: TICKET, withpropertysets: false, withsecurity: false, withOwner: false, withVersions: false })).rejects.toMatchObject({ serverMessage: 'x: odd' });
  });

  test('GetDownloadInfo: the attributes, Size a long', async () => {
    replyOnce(binding, 'GetDownloadInfo', '<response success="true" Size="3000000000" ContentType="application/pdf" ModificationDate="2024-06-15" VersionNumber="0" AlterDocumentName="Q1-Report.pdf" RenderedContent="false" CRC32="a3f1c29d"/>');
    await expect(client(binding).GetDownloadInfo({ AuthenticationTicket: TICKET, Path: PATH })).resolves.toEqual({
      success: true, Size: 3000000000, ContentType: 'application/pdf', ModificationDate: '2024-06-15', VersionNumber: 0,
      AlterDocumentName: 'Q1-Report.pdf', RenderedContent: false, CRC32: 'a3f1c29d',
    });
  });
});

test('a record nested deeper than any result is refused before a parser builds it over SOAP, and by the strict reader over HTTP', async () => {
  const deep = `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`;
  const inner = `<response success="true"><Versions><Version Number="1000000">${deep}</Version></Versions></response>`;
  replyOnce('soap11', 'GetDocumentVersions', inner);
  await expect(versions('soap11')).rejects.toThrow(/nest deeper than 32/);
  replyOnce('http-post', 'GetDocumentVersions', inner);
  await expect(versions('http-post')).rejects.toThrow(/is not a result element of GetDocumentVersions/);
});

test('a listing may be longer than 1 MiB, any other reply may not', async () => {
  const many = Array.from({ length: 20_000 }, (_, i) => `<Version Number="${(i + 1) * 1000000}"><VersionAuthor>author-${i}</VersionAuthor></Version>`).join('');
  const inner = `<response success="true"><Versions>${many}</Versions></response>`;
  expect(inner.length).toBeGreaterThan(1 << 20);
  replyOnce('soap11', 'GetDocumentVersions', inner);
  expect((await versions('soap11')).Versions).toHaveLength(20_000);
  replyOnce('soap11', 'GetDownloadInfo', `<response success="true" Size="1" ContentType="${'x'.repeat(1 << 20)}"/>`);
  await expect(client('soap11').GetDownloadInfo({ AuthenticationTicket: TICKET, Path: PATH })).rejects.toThrow(/past the 1048576 bytes/);
});

test('a reply of more elements than any result holds is refused unparsed', async () => {
  replyOnce('soap11', 'GetDocumentVersions', `<response success="true"><Versions>${'<a/>'.repeat(500_001)}</Versions></response>`);
  await expect(versions('soap11')).rejects.toThrow(/more than the 250000 elements a result can have/);
});
