// The HTTP GET and POST bindings: the seeds' GET, POST form and multipart examples, verbatim, as the
// requests the client produces; the bare reply read, classified and redacted as a SOAP reply is.
import { readFileSync } from 'node:fs';
import nock from '../helpers/nock.js';
import { OPERATIONS } from '../../generated/srv.js';
import { createSrvClient, type SrvClientOptions } from '../../src/soap/client.js';
import { formRequest } from '../../src/soap/bindings/http-post.js';
import { PayloadCut } from '../../src/soap/payload-cut.js';
import { readBareElement } from '../../src/soap/bare-element.js';
import { encodeArguments } from '../../src/soap/arguments.js';
import { ServiceError, UnexpectedResponseError } from '../../src/errors.js';
import type { ExchangeRecord } from '../../src/soap/exchange-record.js';

const BASE = 'http://srv.test';
const URL_ = `${BASE}/srv.asmx`;
const seed = (name: string) => readFileSync(new URL(`../fixtures/seeds/${name}`, import.meta.url), 'utf8').split('\n');
const deleteSeed = seed('000_47f4c5e422955c83.txt');
const chunkSeed = seed('004_d55b6c0844c9959e.txt');
const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

/** The `count` lines of the seed's example that starts with the line `first`. */
function example(lines: string[], first: string, count: number): string[] {
  const at = lines.indexOf(first);
  expect(at).toBeGreaterThanOrEqual(0);
  return lines.slice(at, at + count);
}

const client = (options: Partial<SrvClientOptions>) => createSrvClient({ url: URL_, keepAlive: false, ...options });

afterEach(() => nock.cleanAll());

test("the seed's GET example is the request DeleteUploadHandler makes over http-get, when the user asks for the ticket in URLs", async () => {
  // The seed breaks the request line for reading: GET, the path and query, HTTP/1.1.
  const [line, ticket, handler, version] = example(deleteSeed, 'GET /srv.asmx/DeleteUploadHandler', 4) as [string, string, string, string];
  expect(`${line}${ticket}${handler} ${version}`).toBe(`GET /srv.asmx/DeleteUploadHandler?authenticationTicket=${TICKET}&UploadHandler=${HANDLER} HTTP/1.1`);
  const path = `${line}${ticket}${handler}`.slice('GET '.length);
  let headers: Record<string, unknown> = {};
  const scope = nock(BASE)
    .get(path)
    .reply(function () {
      headers = this.req.headers;
      return [200, '<?xml version="1.0" encoding="utf-8"?><response success="true" error="" />', { 'Content-Type': 'text/xml; charset=utf-8' }];
    });
  const srv = await client({ binding: 'http-get', ticketInUrl: true });
  await expect(srv.DeleteUploadHandler({ authenticationTicket: TICKET, UploadHandler: HANDLER })).resolves.toEqual({ success: true, error: '' });
  expect(scope.isDone()).toBe(true);
  // A GET has no body, so it has no body headers.
  expect(Object.keys(headers).filter((name) => /^(content-|transfer-encoding)/i.test(name))).toEqual([]);
  srv.close();
});

test("the seed's POST form example is the request DeleteUploadHandler makes over http-post", async () => {
  const [line, type, ticket, handler] = example(deleteSeed, 'POST /srv.asmx/DeleteUploadHandler HTTP/1.1', 4) as [string, string, string, string];
  expect(type).toBe('Content-Type: application/x-www-form-urlencoded');
  let seen: { body: string; type: string | undefined } | undefined;
  nock(BASE)
    .post(line.split(' ')[1] as string)
    .reply(function (_uri, body) {
      seen = { body: String(body), type: this.req.headers['content-type'] };
      return [200, '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<response success="true" error="" />'];
    });
  const srv = await client({ binding: 'http-post' });
  await expect(srv.DeleteUploadHandler({ authenticationTicket: TICKET, UploadHandler: HANDLER })).resolves.toEqual({ success: true, error: '' });
  expect(seen).toEqual({ body: `${ticket}${handler}`, type: type.slice('Content-Type: '.length) });
  srv.close();
});

test("the seed's multipart example is the body UploadFileChunk sends over http-post, the chunk's bytes raw", () => {
  const start = chunkSeed.indexOf('POST /srv.asmx/UploadFileChunk HTTP/1.1');
  const end = chunkSeed.indexOf('------FormBoundary--', start);
  const [line, type, ...body] = chunkSeed.slice(start, end + 1);
  const chunk = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x80]);
  const op = OPERATIONS.UploadFileChunk;
  const args = encodeArguments(op, { authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: chunk, chunkHEXCRC: 'A3F2B1C0', lastChunk: false });
  const request = formRequest(op, 'POST', new URL(URL_), args, 'multipart', '----FormBoundary');
  expect(`POST ${request.url.pathname} HTTP/1.1`).toBe(line);
  expect(`Content-Type: ${request.headers['Content-Type']}`).toBe(type);
  const sent = Buffer.concat([...sentPieces(request.body)]);
  // The seed prints the parts without the empty line that ends each part's headers, and the bytes as a placeholder.
  const at = sent.indexOf(chunk);
  const text = `${sent.subarray(0, at).toString('latin1')}[binary chunk bytes]${sent.subarray(at + chunk.length).toString('latin1')}`;
  expect(text.split('\r\n').filter((l) => l !== '')).toEqual(body);
  expect(sent.subarray(at, at + chunk.length)).toEqual(chunk);
  expect(request.text).toContain('[7 bytes]');
});

test('the multipart body is sent from the chunk Buffer itself, not a copy', () => {
  const chunk = Buffer.alloc(1 << 20, 7);
  const op = OPERATIONS.UploadFileChunk;
  const args = encodeArguments(op, { authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: chunk, chunkHEXCRC: '0', lastChunk: true });
  const { body } = formRequest(op, 'POST', new URL(URL_), args, 'multipart');
  const pieces = [...sentPieces(body)];
  expect(pieces.some((piece) => piece.buffer === chunk.buffer && piece.byteOffset === chunk.byteOffset && piece.length === chunk.length)).toBe(true);
  expect(pieces.reduce((sum, piece) => sum + piece.length, 0)).toBe((body as { byteLength: number }).byteLength);
});

test('with chunkEncoding base64-field the chunk is base64 in a urlencoded form', () => {
  const op = OPERATIONS.UploadFileChunk;
  const args = encodeArguments(op, { authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: Buffer.from([0xfb, 0xff]), chunkHEXCRC: 'AB', lastChunk: true });
  const request = formRequest(op, 'POST', new URL(URL_), args, 'base64-field');
  expect(request.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded' });
  expect(String(request.body)).toBe(`authenticationTicket=${TICKET}&uploadHandler=${HANDLER}&fileChunk=%2B%2F8%3D&chunkHEXCRC=AB&lastChunk=true`);
});

test('every value is URL-encoded under its documented name; a login over http-get goes by POST, saying so once', async () => {
  const bodies: string[] = [];
  nock(BASE)
    .post('/srv.asmx/AuthenticateUser1')
    .times(2)
    .reply(200, (_uri, body) => (bodies.push(String(body)), `<root success="true" ticket="${TICKET}" />`));
  nock(BASE).get(`/srv.asmx/FolderExists?authenticationTicket=${TICKET}&Path=%2FLibrary%2Fa+%26+b%3D%C3%A9`).reply(200, '<response success="true" />');
  const notices: string[] = [];
  const srv = await client({ binding: 'http-get', ticketInUrl: true, onNotice: (m) => notices.push(m) });
  await srv.AuthenticateUser1({ UID: 'me', PWD: 'p&w=d %', Lang: 'en' });
  await srv.AuthenticateUser1({ UID: 'me', PWD: 'p&w=d %', Lang: 'en' });
  await expect(srv.FolderExists({ authenticationTicket: TICKET, Path: '/Library/a & b=é' })).resolves.toEqual({ success: true });
  expect(bodies).toEqual(['UID=me&PWD=p%26w%3Dd+%25&Lang=en', 'UID=me&PWD=p%26w%3Dd+%25&Lang=en']);
  expect(notices).toEqual([expect.stringMatching(/^AuthenticateUser1 goes by HTTP POST, not GET/), expect.stringMatching(/^the ticket goes in the URLs/)]);
  srv.close();
});

test('a bare reply is classified as a SOAP one: tryagain, errors, and a non-XML error page is a transport error', async () => {
  nock(BASE).post('/srv.asmx/UploadFileChunk').reply(200, '<root success="true" tryagain="true" />');
  nock(BASE).post('/srv.asmx/UploadFileChunk').reply(200, '<root success="false" error="Invalid upload handler." />');
  nock(BASE).post('/srv.asmx/UploadFileChunk').reply(500, 'System.InvalidOperationException: boom\r\n', { 'Content-Type': 'text/plain; charset=utf-8' });
  const srv = await client({ binding: 'http-post' });
  const chunk = { authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: Buffer.from('abc'), chunkHEXCRC: '352441C2', lastChunk: true };
  await expect(srv.UploadFileChunk(chunk)).resolves.toEqual({ success: true, tryagain: true });
  await expect(srv.UploadFileChunk(chunk)).rejects.toThrow(ServiceError);
  const error = await srv.UploadFileChunk(chunk).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnexpectedResponseError);
  expect(String(error)).toMatch(/HTTP 500 reply \(text\/plain; charset=utf-8, 40 bytes\) is not a result element of UploadFileChunk: "System.InvalidOperationException: boom"/);
  srv.close();
});

test('a plain-text error that echoes the ticket is quoted without it', async () => {
  nock(BASE).post('/srv.asmx/FolderExists').reply(500, `System.ArgumentException: bad ticket ${TICKET}\r\n   at Srv.FolderExists()`, { 'Content-Type': 'text/plain' });
  const srv = await client({ binding: 'http-post' });
  const error = await srv.FolderExists({ authenticationTicket: TICKET, Path: '/Public' }).catch((e: unknown) => e);
  expect(String(error)).toMatch(/: "System.ArgumentException: bad ticket \[redacted\]"$/);
  expect(String(error)).not.toContain(TICKET);
  srv.close();
});

test('comments may come before the bare element, and a prologue split across reads is waited for', () => {
  const reply = Buffer.from('\ufeff<?xml version="1.0"?>\r\n<!-- served by node 7 -->\n<response success="true" chunklength="3" lastchunk="true">YWJj</response>');
  const cut = new PayloadCut(undefined, Buffer.allocUnsafe, 3);
  for (const byte of reply) cut.add(Buffer.from([byte]));
  const rest = cut.bytes();
  expect(cut.extracted?.payload).toEqual(Buffer.from('abc'));
  expect(readBareElement(rest.toString(), rest.length)).toEqual({ name: 'response', attributes: { success: 'true', chunklength: '3', lastchunk: 'true' }, text: '', children: [] });
  expect(readBareElement('<!DOCTYPE html><html>', 100)).toBeUndefined();
});

test("a chunk's base64 is cut out of the bare element over http-post", async () => {
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
  nock(BASE).post('/srv.asmx/DownloadFileChunk').reply(200, `<?xml version="1.0" encoding="utf-8"?><response success="true" chunklength="3000" lastchunk="true">${bytes.toString('base64')}</response>`);
  const records: ExchangeRecord[] = [];
  const srv = await client({ binding: 'http-post', onExchange: (r) => records.push(r) });
  const result = await srv.DownloadFileChunk({ authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 0, ChunkSize: 3000 });
  expect(result.content).toEqual(bytes);
  expect(records[0]?.response?.body).toBe('<response success="true" chunklength="3000" lastchunk="true">[4000 base64 characters]</response>');
  srv.close();
});

test('the ticket and password are redacted from query strings, forms and multipart fields in exchange records', async () => {
  nock(BASE).get(/\/srv\.asmx\/DeleteDownloadHandler\?/).reply(200, '<response success="true" />');
  nock(BASE).post('/srv.asmx/AuthenticateUser').reply(200, `<root success="true" ticket="${TICKET}" />`);
  nock(BASE).post('/srv.asmx/UploadFileChunk').reply(200, '<root success="true" tryagain="false" />');
  const records: ExchangeRecord[] = [];
  const srv = await client({ binding: 'http-get', ticketInUrl: true, onExchange: (r) => records.push(r) });
  await srv.DeleteDownloadHandler({ authenticationTicket: TICKET, DownloadHandler: HANDLER });
  await srv.AuthenticateUser({ UID: 'me', PWD: 's3cret!' });
  await srv.UploadFileChunk({ authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: Buffer.from('abc'), chunkHEXCRC: '352441C2', lastChunk: true });
  const text = JSON.stringify(records);
  expect(text).not.toContain(TICKET);
  expect(text).not.toContain('s3cret');
  expect(records[0]?.url).toBe(`${URL_}/DeleteDownloadHandler?authenticationTicket=[redacted]&DownloadHandler=${HANDLER}`);
  expect(records[1]?.request.body).toBe('UID=me&PWD=[redacted]');
  expect(records[2]?.request.body).toMatch(/name="authenticationTicket"\r\n\r\n\[redacted\]\r\n[\s\S]*filename="chunk"[\s\S]*\[3 bytes\]/);
  srv.close();
});

test('binding defaults to SOAP 1.1; soapVersion maps onto it, and the two must agree', async () => {
  expect((await client({})).soapVersion).toBe('1.1');
  expect((await client({ soapVersion: '1.2' })).soapVersion).toBe('1.2');
  expect((await client({ binding: 'soap12' })).soapVersion).toBe('1.2');
  await expect(client({ binding: 'http-post', soapVersion: '1.2' })).rejects.toThrow(/soapVersion.*contradicts binding 'http-post'/);
  await expect(client({ binding: 'soap13' as never })).rejects.toThrow(/binding.*must be one of soap11, soap12, http-post, http-get/);
});

function sentPieces(body: Buffer | { pieces(): Iterator<Buffer> }): Buffer[] {
  if (Buffer.isBuffer(body)) return [body];
  const pieces: Buffer[] = [];
  const iterator = body.pieces();
  for (let next = iterator.next(); !next.done; next = iterator.next()) pieces.push(next.value);
  return pieces;
}
