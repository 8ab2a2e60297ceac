// The server profiles over raw HTTP: `minimal` (only the load-bearing attributes on a success) and
// `classic-asmx` (what a .NET Framework System.Web.Services endpoint answers), plus the 413 that a
// client still sending a large body must actually receive.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OPERATION_NAMES, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { MINIMAL_ATTRIBUTES } from '../../src/emulator/profiles/minimal.js';
import {
  createUploadHandler,
  crcHex,
  envelope11,
  envelope12,
  httpGet,
  login,
  postForm,
  postSoap11,
  postSoap12,
  rawExchange,
  resultOf,
  SOAP11_NS,
  soap,
  stage,
  TEMPURI,
  uploadChunk,
  uploadDocument,
} from './helpers.js';

const faultString = (body: string): string => /<faultstring>([\s\S]*?)<\/faultstring>/.exec(body)?.[1] ?? '';
const reasonText = (body: string): string => /<soap:Text xml:lang="en">([\s\S]*?)<\/soap:Text>/.exec(body)?.[1] ?? '';
const unescape = (text: string): string => text.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request whose body is written in 48 KiB pieces as the socket drains, as a client that streams it does: the
 * reply, or the socket error the client met while still sending (EPIPE, a reset), even after a reply came.
 */
function post(url: string, headers: Record<string, string>, body: Buffer | string): Promise<RawReply | { error: string }> {
  const bytes = Buffer.from(body);
  return new Promise((resolve) => {
    let reply: RawReply | undefined;
    let error: string | undefined;
    const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'Content-Length': bytes.length } }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => (reply = { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts).toString('utf8') }));
    });
    request.setMaxListeners(0);
    request.on('error', (caught: NodeJS.ErrnoException) => (error ??= caught.code ?? caught.message));
    request.on('close', () => setTimeout(() => resolve(error === undefined && reply !== undefined ? reply : { error: error ?? 'no reply' }), 20));
    void (async () => {
      for (let offset = 0; offset < bytes.length && !request.destroyed; offset += 49_152) {
        if (!request.write(bytes.subarray(offset, offset + 49_152))) await Promise.race([once(request, 'drain'), once(request, 'close')]);
      }
      if (!request.destroyed) request.end();
    })();
  });
}

const soap11Headers = (op: string) => ({ 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${TEMPURI}${op}"` });
const soap12Headers = (op: string) => ({ 'Content-Type': `application/soap+xml; charset=utf-8; action="${TEMPURI}${op}"` });

describe('profile option', () => {
  it('refuses an unknown profile and a maxRequestLengthKb that is not a positive whole number', async () => {
    await expect(startEmulator({ profile: 'iis' as never })).rejects.toThrow(/unknown profile "iis"/);
    await expect(startEmulator({ profile: 'classic-asmx', maxRequestLengthKb: 0 })).rejects.toThrow(/maxRequestLengthKb/);
  });
});

describe('minimal', () => {
  let emulator: RunningEmulator;
  let ticket: string;
  beforeAll(async () => {
    emulator = await startEmulator({ profile: 'minimal' });
    ticket = await login(emulator.url);
  });
  afterAll(() => emulator.close());

  const keys = (attrs: Record<string, string>) => Object.keys(attrs).sort();

  it('has a rule for every operation', () => {
    expect(Object.keys(MINIMAL_ATTRIBUTES)).toEqual([...OPERATION_NAMES]);
  });

  it.each([
    ['AuthenticateUser', [['UID', 'demo'], ['PWD', 'demo']]],
    ['AuthenticateUser1', [['UID', 'demo'], ['PWD', 'demo'], ['Lang', 'en']]],
    ['RenewTicket', [['UID', 'demo'], ['PWD', 'demo'], ['Lang', 'en'], ['OldTicket', '']]],
  ] as const)('%s: success and ticket only', async (op, params) => {
    const { result } = await soap(emulator.url, op, params);
    expect(keys(result.attrs)).toEqual(['success', 'ticket']);
    expect(result.attrs.success).toBe('true');
  });

  it('isValidTicket: success and isAuthenticated; ServerInfo: success and VersionNumber; LogOut: success', async () => {
    expect((await soap(emulator.url, 'isValidTicket', [['AuthenticationTicket', ticket]])).result.attrs).toEqual({ success: 'true', isAuthenticated: 'True' });
    expect((await soap(emulator.url, 'ServerInfo')).result.attrs).toEqual({ success: 'true', VersionNumber: '8.7.0.0' });
    const own = await login(emulator.url);
    expect((await soap(emulator.url, 'LogOut', [['AuthenticationTicket', own]])).result.attrs).toEqual({ success: 'true' });
  });

  it('CreateUploadHandler: UploadHandler and ChunkSize, no error=""', async () => {
    const { result } = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '262144']]);
    expect(keys(result.attrs)).toEqual(['ChunkSize', 'UploadHandler', 'success']);
    expect(result.xml).not.toContain('error=');
  });

  it('UploadFileChunk: success alone, tryagain only when true, never filehexcrc', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    const chunk = randomBytes(262_144);
    expect((await uploadChunk(emulator.url, ticket, handler, chunk, false)).result.attrs).toEqual({ success: 'true' });
    expect((await uploadChunk(emulator.url, ticket, handler, Buffer.from('x'), true, '0')).result.attrs).toEqual({ success: 'true', tryagain: 'true' });
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'tryagain', at: [1] });
    expect((await uploadChunk(emulator.url, ticket, handler, Buffer.from('x'), true)).result.attrs).toEqual({ success: 'true', tryagain: 'true' });
    expect((await uploadChunk(emulator.url, ticket, handler, Buffer.from('x'), true)).result.attrs).toEqual({ success: 'true' });
    expect(emulator.state().uploadHandlers.find((h) => h.id === handler)).toMatchObject({ bytes: 262_145, complete: true });
  });

  it.each([
    ['UploadDocumentWithHandler', [['path', '/Public/m0.bin']]],
    ['UploadDocumentWithHandler1', [['path', '/Public/m1.bin'], ['versionComments', 'c']]],
    ['UploadDocumentWithHandler2', [['path', '/Public/m2.bin'], ['versionComments', 'c'], ['mpVersionMajor', '1'], ['mpVersionMinor', '0'], ['mpVersionRevision', '0']]],
    ['UploadDocumentWithHandler3', [['path', '/Public/m3.bin'], ['xmlParameters', '<xmlparameters><item NAME="DESCRIPTION" VALUE="d"/></xmlparameters>']]],
    ['UploadNewDocumentWidthHandler', [['folderPath', '/Public'], ['documentName', 'm4.bin'], ['xmlParameters', '']]],
  ] as const)('%s: DocumentId and VersionId', async (op, params) => {
    const handler = await stage(emulator.url, ticket, Buffer.from('minimal'));
    const { result } = await soap(emulator.url, op, [['authenticationTicket', ticket], ['uploadHandler', handler], ...params]);
    expect(keys(result.attrs)).toEqual(['DocumentId', 'VersionId', 'success']);
  });

  it('downloads: downloadhandler, Size, ChunkSize, CRC32; chunks: the base64 with chunklength and lastchunk', async () => {
    const content = randomBytes(300_000);
    await uploadDocument(emulator.url, ticket, '/Public/minimal-download.bin', content);
    for (const [op, extra] of [['GetDownloadHandler', []], ['GetDownloadHandlerByVersion', [['VersionNumber', '1000000']]]] as const) {
      const { result } = await soap(emulator.url, op, [['AuthenticationTicket', ticket], ['Path', '/Public/minimal-download.bin'], ...extra, ['PreferedChunkSize', '262144']]);
      expect(keys(result.attrs)).toEqual(['CRC32', 'ChunkSize', 'Size', 'downloadhandler', 'success']);
      expect(Number.parseInt(result.attrs.CRC32 ?? '', 16)).toBe(Number.parseInt(crcHex(content), 16));
      const handler = result.attrs.downloadhandler ?? '';
      const chunk = await soap(emulator.url, 'DownloadFileChunk', [['authenticationTicket', ticket], ['DownloadHandler', handler], ['StartOffset', '262144'], ['ChunkSize', '262144']]);
      expect(chunk.result.attrs).toEqual({ success: 'true', chunklength: String(300_000 - 262_144), lastchunk: 'true' });
      expect(Buffer.from(chunk.result.text, 'base64').equals(content.subarray(262_144))).toBe(true);
      expect((await soap(emulator.url, 'DeleteDownloadHandler', [['authenticationTicket', ticket], ['DownloadHandler', handler]])).result.attrs).toEqual({ success: 'true' });
    }
  });

  it('lookups: CRC32LASTVERSION only; CreateFolder, FolderExists and DeleteUploadHandler: success only', async () => {
    await uploadDocument(emulator.url, ticket, '/Public/minimal-exists.txt', Buffer.from('exists'));
    const expected = { success: 'true', CRC32LASTVERSION: crcHex(Buffer.from('exists')).toLowerCase().padStart(8, '0') };
    expect((await soap(emulator.url, 'DocumentExists', [['authenticationTicket', ticket], ['Path', '/Public/minimal-exists.txt']])).result.attrs).toEqual(expected);
    expect((await soap(emulator.url, 'DocumentExists1', [['authenticationTicket', ticket], ['FolderPath', '/Public'], ['DocumentName', 'minimal-exists.txt']])).result.attrs).toEqual(expected);
    expect((await soap(emulator.url, 'CreateFolder', [['authenticationTicket', ticket], ['Path', '/Public/minimal/a']])).result.attrs).toEqual({ success: 'true' });
    expect((await soap(emulator.url, 'FolderExists', [['authenticationTicket', ticket], ['Path', '/Public/minimal/a']])).result.attrs).toEqual({ success: 'true' });
    const handler = await createUploadHandler(emulator.url, ticket);
    expect((await soap(emulator.url, 'DeleteUploadHandler', [['authenticationTicket', ticket], ['UploadHandler', handler]])).result.attrs).toEqual({ success: 'true' });
  });

  it('failures keep their documented attributes, SystemError: included, and the forms are filtered too', async () => {
    expect((await soap(emulator.url, 'AuthenticateUser', [['UID', 'demo'], ['PWD', 'wrong']])).result.attrs).toEqual({ success: 'false', error: '[900] Authentication failed' });
    expect((await soap(emulator.url, 'FolderExists', [['authenticationTicket', ticket], ['Path', '/Nowhere']])).result.attrs).toEqual({ error: 'Folder not found.' });
    emulator.faults.add({ op: 'FolderExists', kind: 'systemError', at: [1] });
    const failed = await soap(emulator.url, 'FolderExists', [['authenticationTicket', ticket], ['Path', '/Public']]);
    expect([failed.status, failed.result.attrs]).toEqual([200, { success: 'false', error: 'SystemError: injected fault' }]);
    const form = await httpGet(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '0']]);
    expect(keys(resultOf(form.body).attrs)).toEqual(['ChunkSize', 'UploadHandler', 'success']);
  });
});

describe('classic-asmx', () => {
  let emulator: RunningEmulator;
  let ticket: string;
  beforeAll(async () => {
    emulator = await startEmulator({ profile: 'classic-asmx' });
    ticket = await login(emulator.url);
  });
  afterEach(() => emulator.faults.clear());
  afterAll(() => emulator.close());

  const createHandlerBody = () => envelope11('CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '0']]);

  it('writes results as namespace-less XElements: xmlns="" after the attributes, every documented attribute kept', async () => {
    const { body, result } = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '0']]);
    expect(result.xml).toMatch(/^<response success="true" error="" UploadHandler="[0-9a-f-]{36}" ChunkSize="1048576" xmlns="" \/>$/);
    expect(body).toContain('<CreateUploadHandlerResponse xmlns="http://tempuri.org/"><CreateUploadHandlerResult><response success="true"');
    const last = await uploadChunk(emulator.url, ticket, result.attrs.UploadHandler ?? '', Buffer.from('abc'), true);
    expect(last.result.attrs).toEqual({ success: 'true', tryagain: 'false', filehexcrc: expect.any(String) });
    expect(Number.parseInt(last.result.attrs.filehexcrc ?? '', 16)).toBe(Number.parseInt(crcHex(Buffer.from('abc')), 16));
  });

  describe('unhandled errors are soap:Server faults with the stack trace, HTTP 500, Connection: close', () => {
    it('systemError over SOAP 1.1: the exception thrown by the web method, and nothing done', async () => {
      emulator.faults.add({ op: 'CreateUploadHandler', kind: 'systemError', at: [1] });
      const before = emulator.state().uploadHandlers.length;
      const reply = await post(emulator.url, soap11Headers('CreateUploadHandler'), createHandlerBody());
      expect(reply).toMatchObject({ status: 500, headers: { 'content-type': 'text/xml; charset=utf-8', connection: 'close' } });
      const { body } = reply as RawReply;
      expect(body).toContain('<soap:Fault><faultcode>soap:Server</faultcode><faultstring>');
      expect(body).toContain('</faultstring><detail /></soap:Fault>');
      expect(unescape(faultString(body))).toBe(
        'System.Web.Services.Protocols.SoapException: Server was unable to process request. ---> System.IO.IOException: injected fault\r\n' +
          '   at Srv.CreateUploadHandler(String authenticationTicket, Int32 PreferedChunkSize) in C:\\inetpub\\wwwroot\\srv\\App_Code\\Srv.asmx.cs:line 342\r\n' +
          '   --- End of inner exception stack trace ---',
      );
      expect(emulator.state().uploadHandlers).toHaveLength(before);
    });

    it('systemError over SOAP 1.2: Code/Value soap:Receiver and Reason/Text, application/soap+xml', async () => {
      emulator.faults.add({ op: 'ServerInfo', kind: 'systemError', at: [1] });
      const reply = (await post(emulator.url, soap12Headers('ServerInfo'), envelope12('ServerInfo', []))) as RawReply;
      expect(reply).toMatchObject({ status: 500, headers: { 'content-type': 'application/soap+xml; charset=utf-8', connection: 'close' } });
      expect(reply.body).toContain('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"');
      expect(reply.body).toContain('<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">');
      expect(reply.body).toContain('</soap:Text></soap:Reason><soap:Detail /></soap:Fault>');
      expect(unescape(reasonText(reply.body))).toMatch(/^System\.Web\.Services\.Protocols\.SoapException: Server was unable to process request\. ---> System\.IO\.IOException: injected fault\r\n {3}at Srv\.ServerInfo\(\) in .*Srv\.asmx\.cs:line \d+\r\n {3}--- End of inner exception stack trace ---$/);
    });

    it('http500: a fault instead of an empty 500, and nothing done', async () => {
      emulator.faults.add({ op: 'CreateUploadHandler', kind: 'http500', at: [1] });
      const before = emulator.state().uploadHandlers.length;
      const reply = (await post(emulator.url, soap11Headers('CreateUploadHandler'), createHandlerBody())) as RawReply;
      expect([reply.status, reply.headers.connection]).toEqual([500, 'close']);
      expect(reply.body).toContain('<faultcode>soap:Server</faultcode>');
      expect(unescape(faultString(reply.body))).toMatch(/^System\.Web\.Services\.Protocols\.SoapException: Server was unable to process request\. ---> System\.TimeoutException: The operation has timed out\. \(injected fault\)\r\n {3}at Srv\.CreateUploadHandler\(/);
      expect(emulator.state().uploadHandlers).toHaveLength(before);
    });

    it('an error inside an operation (a stored file gone) is an IOException fault, not an in-band SystemError:', async () => {
      const { versionId } = await uploadDocument(emulator.url, ticket, '/Public/classic-gone.bin', Buffer.from('gone'));
      await rm(join(emulator.dataDir, 'content', String(versionId)));
      const reply = await postSoap11(emulator.url, `${TEMPURI}GetDownloadHandler`, envelope11('GetDownloadHandler', [['AuthenticationTicket', ticket], ['Path', '/Public/classic-gone.bin'], ['PreferedChunkSize', '0']]));
      expect(reply.status).toBe(500);
      expect(unescape(faultString(reply.body))).toMatch(/^System\.Web\.Services\.Protocols\.SoapException: Server was unable to process request\. ---> System\.IO\.IOException: ENOENT.*\r\n {3}at Srv\.GetDownloadHandler\(String AuthenticationTicket, String Path, Int32 PreferedChunkSize\)/);
    });

    it('GET/POST: HTTP 500 with the exception as text/plain', async () => {
      emulator.faults.add({ op: 'ServerInfo', kind: 'systemError', at: [1] });
      const response = await fetch(`${emulator.url}/ServerInfo`);
      expect([response.status, response.headers.get('content-type'), response.headers.get('connection')]).toEqual([500, 'text/plain; charset=utf-8', 'close']);
      expect(await response.text()).toMatch(/^System\.IO\.IOException: injected fault\r\n {3}at Srv\.ServerInfo\(\)/);
    });
  });

  it('the other fault kinds behave as in the documented profile', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'tryagain', at: [1] });
    expect((await uploadChunk(emulator.url, ticket, handler, Buffer.from('x'), true)).result.attrs).toEqual({ success: 'true', tryagain: 'true' });
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1] });
    const own = await login(emulator.url);
    expect((await soap(emulator.url, 'FolderExists', [['authenticationTicket', own], ['Path', '/Public']])).result.attrs).toEqual({ success: 'false', error: '[901] Session expired or Invalid ticket' });
  });

  describe('maxRequestLength', () => {
    it('a declared length over 4096 KB: the client receives the fault (HTTP 500, Connection: close), not EPIPE, over 1.1 and 1.2', async () => {
      const padding = ' '.repeat(6 * 1_048_576);
      for (const [headers, body, text] of [
        [soap11Headers('ServerInfo'), envelope11('ServerInfo', []) + padding, faultString],
        [soap12Headers('ServerInfo'), envelope12('ServerInfo', []) + padding, reasonText],
      ] as const) {
        const reply = await post(emulator.url, headers, body);
        expect(reply).toMatchObject({ status: 500, headers: { connection: 'close' } });
        const fault = unescape(text((reply as RawReply).body));
        expect(fault).toContain('System.Web.Services.Protocols.SoapException: There was an exception running the extensions specified in the config file. ---> System.Web.HttpException: Maximum request length exceeded.\r\n');
        expect(fault).toContain('   at System.Web.HttpRequest.GetEntireRawContent()\r\n');
        expect((reply as RawReply).body).toMatch(/soap:(Server|Receiver)/);
      }
    });

    it('a 4 MiB chunk, as base64 in SOAP, is over the default limit; 2 MiB is under it', async () => {
      const handler = await createUploadHandler(emulator.url, ticket, 4_194_304);
      const big = randomBytes(4_194_304);
      const refused = await post(emulator.url, soap11Headers('UploadFileChunk'), envelope11('UploadFileChunk', [['authenticationTicket', ticket], ['uploadHandler', handler], ['fileChunk', big.toString('base64')], ['chunkHEXCRC', crcHex(big)], ['lastChunk', 'true']]));
      expect(refused).toMatchObject({ status: 500 });
      expect(faultString((refused as RawReply).body)).toContain('Maximum request length exceeded.');
      expect(emulator.state().uploadHandlers.find((h) => h.id === handler)?.bytes).toBe(0);
      const half = await createUploadHandler(emulator.url, ticket, 2_097_152);
      const chunk = randomBytes(2_097_152);
      expect((await uploadChunk(emulator.url, ticket, half, chunk, true)).result.attrs).toMatchObject({ success: 'true', tryagain: 'false' });
    });

    it('maxRequestLengthKb sets the limit, maxBodyBytes does not apply, and a form over it gets text/plain', async () => {
      const small = await startEmulator({ profile: 'classic-asmx', maxRequestLengthKb: 8, maxBodyBytes: 1000 });
      try {
        expect((await postSoap11(small.url, `${TEMPURI}ServerInfo`, envelope11('ServerInfo', []) + ' '.repeat(5000))).status).toBe(200);
        const over = await postSoap11(small.url, `${TEMPURI}ServerInfo`, envelope11('ServerInfo', []) + ' '.repeat(9000));
        expect([over.status, faultString(over.body)]).toEqual([500, expect.stringContaining('Maximum request length exceeded.')]);
        const form = await postForm(small.url, 'ServerInfo', [['x', 'y'.repeat(9000)]]);
        expect([form.status, form.contentType]).toEqual([500, 'text/plain; charset=utf-8']);
        expect(form.body).toMatch(/^System\.Web\.HttpException: Maximum request length exceeded\.\r\n {3}at System\.Web\.HttpRequest\.GetEntireRawContent\(\)/);
      } finally {
        await small.close();
      }
    });

    it('a chunked body that runs over the limit has its connection reset: never a 413', async () => {
      const small = await startEmulator({ profile: 'classic-asmx', maxRequestLengthKb: 4 });
      try {
        const { port } = new URL(small.url);
        const pieces = [envelope11('ServerInfo', []).replace(/<\/ServerInfo>.*/, ''), ...Array.from({ length: 6 }, () => ' '.repeat(1000))];
        const chunks = pieces.map((piece) => `${piece.length.toString(16)}\r\n${piece}\r\n`).join('');
        const reply = await rawExchange(small.url, `POST /srv.asmx HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/xml\r\nSOAPAction: "${TEMPURI}ServerInfo"\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`);
        expect(reply).toBe('');
        expect((await soap(small.url, 'ServerInfo')).result.attrs.success).toBe('true');
      } finally {
        await small.close();
      }
    });
  });

  describe('request errors', () => {
    it.each([
      ['malformed XML', `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><ServerInfo xmlns="${TEMPURI}">`],
      ['an empty body', ''],
      ['a root that is not an Envelope', `<Message xmlns="${SOAP11_NS}"><Body/></Message>`],
      ['a DTD', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>${envelope11('ServerInfo', []).replace(/^<\?xml[^>]*>/, '')}`],
      ['an undeclared entity', envelope11('ServerInfo', []).replace('</ServerInfo>', '<x>&undeclared;</x></ServerInfo>')],
      ['invalid UTF-8', Buffer.concat([Buffer.from(envelope11('ServerInfo', []).slice(0, 60)), Buffer.from([0xff, 0xfe]), Buffer.from('</x>')])],
      ['invalid base64', envelope11('UploadFileChunk', [['authenticationTicket', 'x'], ['fileChunk', 'abc$']])],
    ])('%s: HTTP 400 with an empty body, and the connection stays usable', async (what, body) => {
      const reply = (await post(emulator.url, soap11Headers(what === 'invalid base64' ? 'UploadFileChunk' : 'ServerInfo'), body)) as RawReply;
      expect([reply.status, reply.headers['content-length'], reply.body, reply.headers.connection]).toEqual([400, '0', '', 'keep-alive']);
    });

    it('over SOAP 1.2 too', async () => {
      const reply = (await post(emulator.url, soap12Headers('ServerInfo'), '<soap:Envelope')) as RawReply;
      expect([reply.status, reply.headers['content-type'], reply.body]).toEqual([400, 'application/soap+xml; charset=utf-8', '']);
    });

    it.each([
      ['a non-numeric int', 'CreateUploadHandler', [['PreferedChunkSize', 'big']], 'System.FormatException: Input string was not in a correct format.'],
      ['an int out of range', 'CreateUploadHandler', [['PreferedChunkSize', '99999999999']], 'System.OverflowException: Value was either too large or too small for an Int32.'],
      ['an invalid boolean', 'UploadFileChunk', [['lastChunk', 'yes']], "System.FormatException: The string 'yes' is not a valid Boolean value."],
    ])('%s: a soap:Client fault, HTTP 500, as XmlSerializer words it', async (_case, op, params, inner) => {
      const reply = (await post(emulator.url, soap11Headers(op), envelope11(op, [['authenticationTicket', ticket], ...(params as [string, string][])]))) as RawReply;
      expect([reply.status, reply.headers.connection]).toEqual([500, 'keep-alive']);
      expect(reply.body).toContain('<faultcode>soap:Client</faultcode>');
      expect(unescape(faultString(reply.body))).toMatch(new RegExp(`^System\\.Web\\.Services\\.Protocols\\.SoapException: Server was unable to read request\\. ---> System\\.InvalidOperationException: There is an error in XML document \\(1, \\d+\\)\\. ---> ${inner.replace(/[.()]/g, '\\$&')}\r\n`));
    });

    it('a content type that is not SOAP: HTTP 415 with an empty body', async () => {
      const response = await fetch(emulator.url, { method: 'POST', headers: { 'Content-Type': 'application/json', SOAPAction: `"${TEMPURI}ServerInfo"` }, body: '{}' });
      expect([response.status, await response.text()]).toEqual([415, '']);
    });
  });

  describe('routing', () => {
    const serverInfo = envelope11('ServerInfo', []);
    const withAction = (action: string | undefined, body = serverInfo) =>
      fetch(emulator.url, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', ...(action !== undefined && { SOAPAction: action }) }, body });

    it.each([`"${TEMPURI}ServerInfo"`, `${TEMPURI}ServerInfo`, '"http%3A%2F%2Ftempuri.org%2FServerInfo"'])('SOAPAction %s: quoted or not, URL-decoded', async (action) => {
      const response = await withAction(action);
      expect([response.status, resultOf(await response.text()).attrs.success]).toEqual([200, 'true']);
    });

    it.each([
      [`"${TEMPURI}serverinfo"`, `${TEMPURI}serverinfo`],
      ['""', ''],
      [`"${TEMPURI}Nothing"`, `${TEMPURI}Nothing`],
      [`"${TEMPURI}ServerInfo`, `"${TEMPURI}ServerInfo`],
    ])('SOAPAction %s is not recognized: a soap:Client fault with the stack, HTTP 500 (the action is matched exactly)', async (action, shown) => {
      const response = await withAction(action);
      const body = await response.text();
      expect(response.status).toBe(500);
      expect(body).toContain('<faultcode>soap:Client</faultcode>');
      expect(unescape(faultString(body))).toMatch(new RegExp(`^System\\.Web\\.Services\\.Protocols\\.SoapException: Server did not recognize the value of HTTP Header SOAPAction: ${shown.replace(/[.()/"]/g, '\\$&')}\\.\r\n {3}at System\\.Web\\.Services\\.Protocols\\.Soap11ServerProtocolHelper\\.RouteRequest\\(\\)`));
    });

    it('no SOAPAction header: the request is routed on the Body element; an unknown element is a soap:Client fault', async () => {
      const routed = await withAction(undefined, envelope11('isValidTicket', [['AuthenticationTicket', ticket]]));
      expect(resultOf(await routed.text()).attrs).toEqual({ success: 'true', userid: expect.any(String), username: 'demo', firstName: 'demo', lastName: '', fullname: 'demo', email: 'demo@emulator.invalid', expireOn: expect.any(String), isAuthenticated: 'True' });
      const unknown = await withAction(undefined, envelope11('Nothing', []));
      const body = await unknown.text();
      expect([unknown.status, body]).toEqual([500, expect.stringContaining('<faultcode>soap:Client</faultcode>')]);
      expect(faultString(body)).toMatch(/^System\.Web\.Services\.Protocols\.SoapException: Unable to handle request without a valid action parameter\. Please supply a valid soap action\./);
    });

    it('SOAP 1.2: an unknown action falls back to the Body element; when neither names an operation, soap:Sender', async () => {
      const routed = await postSoap12(emulator.url, `${TEMPURI}Nothing`, envelope12('ServerInfo', []));
      expect([routed.status, resultOf(routed.body).attrs.success]).toEqual([200, 'true']);
      const unknown = await postSoap12(emulator.url, `${TEMPURI}Nothing`, envelope12('Nothing', []));
      expect(unknown.status).toBe(500);
      expect(unknown.body).toContain('<soap:Value>soap:Sender</soap:Value>');
      expect(reasonText(unknown.body)).toMatch(/^System\.Web\.Services\.Protocols\.SoapException: Unable to handle request\. The action 'http:\/\/tempuri\.org\/Nothing' was not recognized\.\r\n {3}at System\.Web\.Services\.Protocols\.Soap12ServerProtocolHelper\.RouteRequest\(\)/);
    });

    it('the .asmx path is case-insensitive; GET/POST method names are not', async () => {
      const upper = await postSoap11(emulator.url.replace('/srv.asmx', '/SRV.ASMX'), `${TEMPURI}ServerInfo`, serverInfo);
      expect(resultOf(upper.body).attrs.success).toBe('true');
      expect((await fetch(`${emulator.url.replace('/srv.asmx', '/Srv.Asmx')}/ServerInfo`)).status).toBe(200);
      const wrongCase = await fetch(`${emulator.url}/serverinfo`);
      expect([wrongCase.status, await wrongCase.text()]).toEqual([500, expect.stringMatching(/^System\.InvalidOperationException: Request format is unrecognized for URL unexpectedly ending in '\/serverinfo'\./)]);
    });

    it('GET/POST: a value that does not convert is HTTP 500 text/plain, not 400', async () => {
      const response = await httpGet(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', 'abc']]);
      expect([response.status, response.body]).toEqual([500, expect.stringMatching(/^System\.ArgumentException: Cannot convert abc to System\.Int32\.\r\nParameter name: type ---> System\.FormatException: Input string was not in a correct format\./)]);
    });
  });
});

describe('documented: HTTP 413 reaches a client still sending its body', () => {
  it('a declared 8 MiB body over a 1 MiB limit gets the 413, not EPIPE or a reset', async () => {
    const limited = await startEmulator({ maxBodyBytes: 1_048_576 });
    try {
      for (let i = 0; i < 3; i += 1) {
        const reply = await post(limited.url, soap11Headers('ServerInfo'), envelope11('ServerInfo', []) + ' '.repeat(8 * 1_048_576));
        expect(reply).toMatchObject({ status: 413, headers: { connection: 'close' } });
      }
    } finally {
      await limited.close();
    }
  });
});
