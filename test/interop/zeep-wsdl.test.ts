// wsdl/srv.wsdl, its SOAP and HTTP ports, must load in a mainstream toolkit nobody here wrote: Python zeep (Debian's
// python3-zeep, which scripts/test-prereqs.sh installs for Debian's /usr/bin/python3). Without it the
// file skips, saying SKIPPED, except under CI=true, where it fails (test/interop/toolkits.ts).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canonicalXml, operationElement } from '../helpers/xml.js';
import { readFileSync } from 'node:fs';
import { interopSuite } from './toolkits.js';

const { test } = await interopSuite('zeep', 'test/interop/zeep-wsdl.test.ts');

const run = promisify(execFile);
const OPERATIONS = [
  'AuthenticateUser', 'AuthenticateUser1', 'RenewTicket', 'isValidTicket', 'LogOut', 'ServerInfo',
  'CreateUploadHandler', 'UploadFileChunk', 'UploadDocumentWithHandler', 'UploadDocumentWithHandler1',
  'UploadDocumentWithHandler2', 'UploadDocumentWithHandler3', 'UploadNewDocumentWidthHandler', 'DeleteUploadHandler',
  'GetDownloadHandler', 'GetDownloadHandlerByVersion', 'DownloadFileChunk', 'DeleteDownloadHandler',
  'DocumentExists', 'DocumentExists1', 'FolderExists', 'CreateFolder',
  'GetDownloadInfo', 'GetDownloadInfoByVersion', 'GetDocumentVersions', 'GetDocumentVersion',
  'DeleteDocument', 'DeleteDocumentVersion',
];

/** The HTTP GET port's operations: the calls safe in a URL. */
const GET_OPERATIONS = [
  'ServerInfo', 'DeleteUploadHandler', 'DeleteDownloadHandler', 'DocumentExists', 'DocumentExists1', 'FolderExists',
  'GetDownloadInfo', 'GetDownloadInfoByVersion', 'GetDocumentVersions', 'GetDocumentVersion',
];

interface ZeepOperation {
  soapAction: string | null;
  location: string | null;
  /** null for UploadFileChunk's multipart input over HTTP POST, which zeep loads but cannot write. */
  parameters: string[] | null;
}

interface ZeepView {
  ports: Record<string, { binding: string; operations: Record<string, ZeepOperation> }>;
  deleteUploadHandler: string;
  replies: Record<string, { namespace: string; name: string; attributes: Record<string, string> }>;
  typedChunk: Record<string, unknown>;
  chunkText: string;
}

let view: ZeepView;
beforeAll(async () => {
  const script = fileURLToPath(new URL('zeep_wsdl.py', import.meta.url));
  const wsdl = fileURLToPath(new URL('../../wsdl/srv.wsdl', import.meta.url));
  const { stdout } = await run('/usr/bin/python3', [script, wsdl]);
  view = JSON.parse(stdout) as ZeepView;
});

test('zeep sees a SOAP 1.1 and a SOAP 1.2 port, each with every operation and its SOAP action', () => {
  expect(Object.keys(view.ports).sort()).toEqual(['srvHttpGet', 'srvHttpPost', 'srvSoap', 'srvSoap12']);
  expect(view.ports['srvSoap']?.binding).toBe('Soap11Binding');
  expect(view.ports['srvSoap12']?.binding).toBe('Soap12Binding');
  for (const port of [view.ports['srvSoap'], view.ports['srvSoap12']]) {
    expect(Object.keys(port?.operations ?? {}).sort()).toEqual([...OPERATIONS].sort());
    for (const op of OPERATIONS) expect(port?.operations[op]?.soapAction).toBe(`http://tempuri.org/${op}`);
  }
});

test('zeep sees the HTTP POST port with every operation and the HTTP GET port with the calls safe in a URL, each at /{Op}', () => {
  const post = view.ports['srvHttpPost'];
  const get = view.ports['srvHttpGet'];
  expect([post?.binding, get?.binding]).toEqual(['HttpPostBinding', 'HttpGetBinding']);
  expect(Object.keys(post?.operations ?? {}).sort()).toEqual([...OPERATIONS].sort());
  expect(Object.keys(get?.operations ?? {}).sort()).toEqual([...GET_OPERATIONS].sort());
  for (const [name, op] of [...Object.entries(post?.operations ?? {}), ...Object.entries(get?.operations ?? {})]) expect(op.location).toBe(`/${name}`);
  // The same parameters, casing and order as SOAP; the chunk's multipart input zeep cannot write.
  expect(get?.operations['DeleteUploadHandler']?.parameters).toEqual(['authenticationTicket', 'UploadHandler']);
  expect(post?.operations['GetDownloadHandler']?.parameters).toEqual(['AuthenticationTicket', 'Path', 'PreferedChunkSize']);
  expect(post?.operations['UploadFileChunk']?.parameters).toBeNull();
});

test('zeep reads the exact, inconsistent parameter casing in the documented order', () => {
  const parameters = (op: string) => view.ports['srvSoap']?.operations[op]?.parameters;
  expect(parameters('DeleteUploadHandler')).toEqual(['authenticationTicket', 'UploadHandler']);
  expect(parameters('UploadFileChunk')).toEqual(['authenticationTicket', 'uploadHandler', 'fileChunk', 'chunkHEXCRC', 'lastChunk']);
  expect(parameters('GetDownloadHandler')).toEqual(['AuthenticationTicket', 'Path', 'PreferedChunkSize']);
  expect(parameters('isValidTicket')).toEqual(['AuthenticationTicket']);
  expect(parameters('DocumentExists1')).toEqual(['authenticationTicket', 'FolderPath', 'DocumentName']);
  expect(parameters('GetDocumentVersions')).toEqual(['AuthenticationTicket', 'Path']);
  expect(parameters('GetDocumentVersion')).toEqual(['authenticationTicket', 'path', 'versionNumber']);
});

test("zeep builds the seed's DeleteUploadHandler envelope", () => {
  const seed = readFileSync(new URL('../fixtures/seeds/000_47f4c5e422955c83.txt', import.meta.url), 'utf8');
  const example = /<soap:Envelope[\s\S]*?<\/soap:Envelope>/.exec(seed)?.[0] as string;
  expect(canonicalXml(view.deleteUploadHandler)).toEqual(canonicalXml(example));
  expect(operationElement(canonicalXml(view.deleteUploadHandler)).children).toHaveLength(2);
});

test('zeep hands back the result element in every name and namespace form the wire uses, attributes as sent', () => {
  const status = { success: 'true', error: '' };
  expect(view.replies).toEqual({
    'xmlns-empty response': { namespace: '', name: 'response', attributes: status },
    'inherited root': { namespace: 'http://tempuri.org/', name: 'root', attributes: { success: 'false', error: '[901] Session expired or Invalid ticket' } },
    'unqualified Response': { namespace: '', name: 'Response', attributes: status },
    'prefixed response': { namespace: 'http://tempuri.org/', name: 'response', attributes: status },
    'spaced, with an unknown attribute': { namespace: '', name: 'root', attributes: { ...status, added: '1' } },
    'download chunk': {
      namespace: '',
      name: 'response',
      attributes: { success: 'true', filelength: '3', chunklength: '3', lastchunk: 'true', chunkCRC32: '352441c2' },
    },
  });
  expect(view.chunkText).toBe('YWJj');
});

test("the schema's named result types still type the element for a caller that asks zeep to", () => {
  expect(view.typedChunk).toEqual({ _value_1: 'abc', success: 'true', filelength: 3, chunklength: 3, lastchunk: 'true', chunkCRC32: '352441c2' });
});
