// The exact request of every operation: method, path, headers and envelope, checked against the
// seeds and the contract's parameter tables (written out here by hand, not taken from the WSDL).
import { readFileSync } from 'node:fs';
import nock from '../helpers/nock.js';
import { createSrvClient, OPERATION_NAMES, type SrvClient } from '../../src/index.js';
import { canonicalXml, operationElement } from '../helpers/xml.js';

const BASE = 'http://srv.test';
const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const TEMPURI = 'http://tempuri.org/';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

/** Operation, request, and the children the contract documents, in its order, as [name, text]. */
type Case = [string, Record<string, unknown>, Array<[string, string]>];
const CASES: Case[] = [
  ['AuthenticateUser', { UID: 'jdoe', PWD: 'pa<ss' }, [['UID', 'jdoe'], ['PWD', 'pa<ss']]],
  ['AuthenticateUser1', { UID: 'jdoe', PWD: 'pw', Lang: 'de' }, [['UID', 'jdoe'], ['PWD', 'pw'], ['Lang', 'de']]],
  ['RenewTicket', { UID: 'jdoe', PWD: 'pw', Lang: 'en', OldTicket: TICKET }, [['UID', 'jdoe'], ['PWD', 'pw'], ['Lang', 'en'], ['OldTicket', TICKET]]],
  ['isValidTicket', { AuthenticationTicket: TICKET }, [['AuthenticationTicket', TICKET]]],
  ['LogOut', { AuthenticationTicket: TICKET }, [['AuthenticationTicket', TICKET]]],
  ['ServerInfo', {}, []],
  ['CreateUploadHandler', { authenticationTicket: TICKET, PreferedChunkSize: 4194304 }, [['authenticationTicket', TICKET], ['PreferedChunkSize', '4194304']]],
  [
    'UploadFileChunk',
    { authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: Buffer.from('hello'), chunkHEXCRC: '3610A686', lastChunk: true },
    [['authenticationTicket', TICKET], ['uploadHandler', HANDLER], ['fileChunk', 'aGVsbG8='], ['chunkHEXCRC', '3610A686'], ['lastChunk', 'true']],
  ],
  ['UploadDocumentWithHandler', { authenticationTicket: TICKET, path: '/Public/a&b.pdf', uploadHandler: HANDLER }, [['authenticationTicket', TICKET], ['path', '/Public/a&b.pdf'], ['uploadHandler', HANDLER]]],
  [
    'UploadDocumentWithHandler1',
    { authenticationTicket: TICKET, path: '/Public/a.pdf', uploadHandler: HANDLER, versionComments: 'v2' },
    [['authenticationTicket', TICKET], ['path', '/Public/a.pdf'], ['uploadHandler', HANDLER], ['versionComments', 'v2']],
  ],
  [
    'UploadDocumentWithHandler2',
    { authenticationTicket: TICKET, path: '/Public/a.pdf', uploadHandler: HANDLER, versionComments: 'c', mpVersionMajor: 2, mpVersionMinor: 0, mpVersionRevision: 1 },
    [['authenticationTicket', TICKET], ['path', '/Public/a.pdf'], ['uploadHandler', HANDLER], ['versionComments', 'c'], ['mpVersionMajor', '2'], ['mpVersionMinor', '0'], ['mpVersionRevision', '1']],
  ],
  [
    'UploadDocumentWithHandler3',
    { authenticationTicket: TICKET, path: '/Public/a.pdf', uploadHandler: HANDLER, xmlParameters: '<xmlparameters><item NAME="DESCRIPTION" VALUE="a &amp; b"/></xmlparameters>' },
    [['authenticationTicket', TICKET], ['path', '/Public/a.pdf'], ['uploadHandler', HANDLER], ['xmlParameters', '<xmlparameters><item NAME="DESCRIPTION" VALUE="a &amp; b"/></xmlparameters>']],
  ],
  [
    'UploadNewDocumentWidthHandler',
    { authenticationTicket: TICKET, folderPath: '/Public/In', documentName: 'r.pdf', uploadHandler: HANDLER, xmlParameters: '' },
    [['authenticationTicket', TICKET], ['folderPath', '/Public/In'], ['documentName', 'r.pdf'], ['uploadHandler', HANDLER], ['xmlParameters', '']],
  ],
  ['DeleteUploadHandler', { authenticationTicket: TICKET, UploadHandler: HANDLER }, [['authenticationTicket', TICKET], ['UploadHandler', HANDLER]]],
  ['GetDownloadHandler', { AuthenticationTicket: TICKET, Path: '~D42', PreferedChunkSize: 1048576 }, [['AuthenticationTicket', TICKET], ['Path', '~D42'], ['PreferedChunkSize', '1048576']]],
  [
    'GetDownloadHandlerByVersion',
    { AuthenticationTicket: TICKET, Path: '/Public/a.pdf', VersionNumber: 2000000, PreferedChunkSize: 1048576 },
    [['AuthenticationTicket', TICKET], ['Path', '/Public/a.pdf'], ['VersionNumber', '2000000'], ['PreferedChunkSize', '1048576']],
  ],
  [
    'DownloadFileChunk',
    { authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 65536, ChunkSize: 65536 },
    [['authenticationTicket', TICKET], ['DownloadHandler', HANDLER], ['StartOffset', '65536'], ['ChunkSize', '65536']],
  ],
  ['DeleteDownloadHandler', { authenticationTicket: TICKET, DownloadHandler: HANDLER }, [['authenticationTicket', TICKET], ['DownloadHandler', HANDLER]]],
  ['DocumentExists', { authenticationTicket: TICKET, Path: '~D42.pdf' }, [['authenticationTicket', TICKET], ['Path', '~D42.pdf']]],
  ['DocumentExists1', { authenticationTicket: TICKET, FolderPath: '/Public', DocumentName: 'a.pdf' }, [['authenticationTicket', TICKET], ['FolderPath', '/Public'], ['DocumentName', 'a.pdf']]],
  ['FolderExists', { authenticationTicket: TICKET, Path: '/Public/In' }, [['authenticationTicket', TICKET], ['Path', '/Public/In']]],
  ['CreateFolder', { authenticationTicket: TICKET, Path: '/Public/In/2026' }, [['authenticationTicket', TICKET], ['Path', '/Public/In/2026']]],
  ['GetDownloadInfo', { AuthenticationTicket: TICKET, Path: '/Finance/Reports/Q1-Report.pdf' }, [['AuthenticationTicket', TICKET], ['Path', '/Finance/Reports/Q1-Report.pdf']]],
  [
    'GetDownloadInfoByVersion',
    { AuthenticationTicket: TICKET, Path: '/Finance/Reports/Q1-Report.pdf', VersionNumber: 1000000 },
    [['AuthenticationTicket', TICKET], ['Path', '/Finance/Reports/Q1-Report.pdf'], ['VersionNumber', '1000000']],
  ],
  ['GetDocumentVersions', { AuthenticationTicket: TICKET, Path: '~D42' }, [['AuthenticationTicket', TICKET], ['Path', '~D42']]],
  [
    'GetDocumentVersion',
    { authenticationTicket: TICKET, path: '/Finance/Reports/Q1-2024-Report.pdf', versionNumber: 1000000 },
    [['authenticationTicket', TICKET], ['path', '/Finance/Reports/Q1-2024-Report.pdf'], ['versionNumber', '1000000']],
  ],
  ['DeleteDocument', { authenticationTicket: TICKET, Path: '/MyLibrary/Reports/OldReport.pdf' }, [['authenticationTicket', TICKET], ['Path', '/MyLibrary/Reports/OldReport.pdf']]],
  [
    'DeleteDocumentVersion',
    { authenticationTicket: TICKET, DocumentPath: '/MyLibrary/Reports/Report.pdf', VersionNumber: 3000000 },
    [['authenticationTicket', TICKET], ['DocumentPath', '/MyLibrary/Reports/Report.pdf'], ['VersionNumber', '3000000']],
  ],
];

interface Captured {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function captureOne(reply = '<x/>'): Promise<Captured> {
  return new Promise((resolve) => {
    nock(BASE)
      .post(/.*/)
      .reply(function (path, body) {
        resolve({ method: this.req.method, path, headers: this.req.headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
        return [500, reply, { 'Content-Type': 'text/plain' }];
      });
  });
}

async function requestOf(client: SrvClient, op: string, request: Record<string, unknown>): Promise<Captured> {
  const captured = captureOne();
  await client.call(op as 'ServerInfo', request as never).catch(() => undefined);
  return captured;
}

function expectedOperation(op: string, children: Array<[string, string]>): ReturnType<typeof canonicalXml> {
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const xml = `<${op} xmlns="${TEMPURI}">${children.map(([n, v]) => `<${n}>${escape(v)}</${n}>`).join('')}</${op}>`;
  return canonicalXml(xml);
}

let soap11: SrvClient;
let soap12: SrvClient;
beforeAll(async () => {
  soap11 = await createSrvClient({ url: `${BASE}/srv.asmx` });
  soap12 = await createSrvClient({ url: `${BASE}/srv.asmx`, soapVersion: '1.2' });
});
afterAll(() => {
  soap11.close();
  soap12.close();
});

test('the cases cover every operation of the WSDL', () => {
  expect(CASES.map(([op]) => op).sort()).toEqual([...OPERATION_NAMES].sort());
});

describe.each(CASES)('%s', (op, request, children) => {
  test('SOAP 1.1: POST /srv.asmx, text/xml, SOAPAction quoted once, documented children in order', async () => {
    const sent = await requestOf(soap11, op, request);
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/srv.asmx');
    expect(sent.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(sent.headers['soapaction']).toBe(`"http://tempuri.org/${op}"`);
    const envelope = canonicalXml(sent.body);
    expect(envelope.name).toBe(`{${SOAP11}}Envelope`);
    expect(operationElement(envelope)).toEqual(expectedOperation(op, children));
  });

  test('SOAP 1.2: action in the Content-Type, no SOAPAction header, 1.2 envelope', async () => {
    const sent = await requestOf(soap12, op, request);
    expect(sent.headers['content-type']).toBe(`application/soap+xml; charset=utf-8; action="http://tempuri.org/${op}"`);
    expect(sent.headers['soapaction']).toBeUndefined();
    const envelope = canonicalXml(sent.body);
    expect(envelope.name).toBe(`{${SOAP12}}Envelope`);
    expect(operationElement(envelope)).toEqual(expectedOperation(op, children));
  });
});

describe('the seeds, verbatim', () => {
  const seed = (file: string) => readFileSync(new URL(`../fixtures/seeds/${file}`, import.meta.url), 'utf8');

  test("DeleteUploadHandler: the envelope equals the seed's SOAP example", async () => {
    const example = /<soap:Envelope[\s\S]*?<\/soap:Envelope>/.exec(seed('000_47f4c5e422955c83.txt'))?.[0] as string;
    const sent = await requestOf(soap11, 'DeleteUploadHandler', { authenticationTicket: TICKET, UploadHandler: HANDLER });
    expect(sent.headers['soapaction']).toBe('"http://tempuri.org/DeleteUploadHandler"');
    expect(operationElement(canonicalXml(sent.body))).toEqual(operationElement(canonicalXml(example)));
  });

  test("UploadFileChunk: the envelope carries the seed's form fields, with their names, values and order", async () => {
    const text = seed('004_d55b6c0844c9959e.txt');
    const fields = [...text.matchAll(/Content-Disposition: form-data; name="(\w+)"[^\n]*\n(?:Content-Type:[^\n]*\n)?\n?([^\n]*)/g)].map((m) => [m[1], m[2]?.trim()]);
    expect(fields.map(([name]) => name)).toEqual(['authenticationTicket', 'uploadHandler', 'fileChunk', 'chunkHEXCRC', 'lastChunk']);
    const value = (name: string) => fields.find(([n]) => n === name)?.[1] as string;
    const chunk = Buffer.from('[binary chunk bytes]');
    const sent = await requestOf(soap11, 'UploadFileChunk', {
      authenticationTicket: value('authenticationTicket'),
      uploadHandler: value('uploadHandler'),
      fileChunk: chunk,
      chunkHEXCRC: value('chunkHEXCRC'),
      lastChunk: value('lastChunk') === 'true',
    });
    const expected = fields.map(([name, v]) => [name, name === 'fileChunk' ? chunk.toString('base64') : v] as [string, string]);
    expect(operationElement(canonicalXml(sent.body))).toEqual(expectedOperation('UploadFileChunk', expected));
  });
});

describe('arguments are checked before anything is sent', () => {
  test.each([
    ['a missing required parameter', 'DeleteUploadHandler', { authenticationTicket: TICKET }, /UploadHandler is required/],
    ['an unknown parameter (wrong casing)', 'DeleteUploadHandler', { authenticationTicket: TICKET, uploadHandler: HANDLER }, /uploadHandler is not a parameter/],
    ['a non-integer int', 'CreateUploadHandler', { authenticationTicket: TICKET, PreferedChunkSize: 1.5 }, /PreferedChunkSize must be an integer/],
    ['an int out of range', 'DownloadFileChunk', { authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 2 ** 31, ChunkSize: 1 }, /StartOffset must be an integer/],
    ['a string XML cannot carry', 'FolderExists', { authenticationTicket: TICKET, Path: 'a\u0000b' }, /character XML cannot carry/],
    ['bytes that are not a Buffer', 'UploadFileChunk', { authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: 'aGk=', chunkHEXCRC: '0', lastChunk: true }, /fileChunk must be a Buffer/],
  ])('%s', async (_what, op, request, message) => {
    const scope = nock(BASE).post(/.*/).reply(200, '');
    await expect(soap11.call(op as 'ServerInfo', request as never)).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(message) });
    expect(scope.isDone()).toBe(false);
  });
});
