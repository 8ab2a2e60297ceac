// Realistic replies, as the service and the proxies in front of it send them, each mapped to a
// typed result or to the right error class.
import nock from '../helpers/nock.js';
import {
  AuthenticationError,
  createSrvClient,
  HandlerNotFoundError,
  InvalidHandlerError,
  NotFoundError,
  ServerError,
  ServiceError,
  SoapFaultError,
  TicketExpiredError,
  TicketNotAllowedError,
  TransportError,
  UnexpectedResponseError,
  type SrvClient,
} from '../../src/index.js';

const BASE = 'http://srv.test';
const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

function envelope(op: string, inner: string, soapNs = SOAP11): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${soapNs}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;
}

function replyOnce(status: number, body: string, contentType = 'text/xml; charset=utf-8'): void {
  nock(BASE).post('/srv.asmx').reply(status, body, { 'Content-Type': contentType });
}

let client: SrvClient;
let client12: SrvClient;
beforeAll(async () => {
  client = await createSrvClient({ url: `${BASE}/srv.asmx` });
  client12 = await createSrvClient({ url: `${BASE}/srv.asmx`, soapVersion: '1.2' });
});
afterAll(() => {
  client.close();
  client12.close();
});

const deleteHandler = () => client.DeleteUploadHandler({ authenticationTicket: TICKET, UploadHandler: HANDLER });
const createHandler = () => client.CreateUploadHandler({ authenticationTicket: TICKET, PreferedChunkSize: 0 });

describe('the result element is found by local name, whatever its name or namespace', () => {
  test.each([
    ['<response> with xmlns=""', '<response xmlns="" success="true" error="" UploadHandler="HANDLER" ChunkSize="4194304"/>'],
    ['<root> inheriting the service namespace', '<root success="true" UploadHandler="HANDLER" ChunkSize="4194304"/>'],
    ['<Response> with a prefix', '<t:Response xmlns:t="urn:other" success="TRUE" UploadHandler="HANDLER" ChunkSize="4194304"/>'],
    ['lower-cased attribute names', '<response xmlns="" SUCCESS="true" uploadhandler="HANDLER" chunksize="4194304"/>'],
  ])('%s', async (_what, inner) => {
    replyOnce(200, envelope('CreateUploadHandler', inner.replace('HANDLER', HANDLER)));
    await expect(createHandler()).resolves.toEqual({ success: true, UploadHandler: HANDLER, ChunkSize: 4194304, ...(inner.includes('error=""') ? { error: '' } : {}) });
  });

  test('a UTF-8 BOM, a soap:Header and whitespace are tolerated', async () => {
    const body = `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<s:Envelope xmlns:s="${SOAP11}">\n <s:Header/>\n <s:Body>\n  <DeleteUploadHandlerResponse xmlns="http://tempuri.org/">\n   <DeleteUploadHandlerResult>\n    <response xmlns="" success="true" error=""/>\n   </DeleteUploadHandlerResult>\n  </DeleteUploadHandlerResponse>\n </s:Body>\n</s:Envelope>\n`;
    replyOnce(200, body);
    await expect(deleteHandler()).resolves.toEqual({ success: true, error: '' });
  });

  test('typed attributes: ints, case-insensitive booleans, base64 text content', async () => {
    replyOnce(200, envelope('DownloadFileChunk', '<response xmlns="" success="true" filelength="3" chunklength="3" lastchunk="True" chunkCRC32="352441c2">YW\nJj</response>'));
    const chunk = await client.DownloadFileChunk({ authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 0, ChunkSize: 262144 });
    expect(chunk).toEqual({ success: true, filelength: 3, chunklength: 3, lastchunk: true, chunkCRC32: '352441c2', content: Buffer.from('abc') });
  });

  test('isAuthenticated="True" and the profile of AuthenticateUser', async () => {
    replyOnce(200, envelope('AuthenticateUser', `<root success="true" ticket="${TICKET}" userid="7" username="jdoe" firstName="J" lastName="Doe" fullname="J Doe" email="j@x" expireOn="2026-03-20T14:35:00Z" isAuthenticated="True"/>`));
    await expect(client.AuthenticateUser({ UID: 'jdoe', PWD: 'pw' })).resolves.toMatchObject({ ticket: TICKET, userid: 7, isAuthenticated: true, expireOn: '2026-03-20T14:35:00Z' });
  });

  test('a result inside an HTTP 500 is still the result', async () => {
    replyOnce(500, envelope('DeleteUploadHandler', '<response xmlns="" success="true" error=""/>'));
    await expect(deleteHandler()).resolves.toEqual({ success: true, error: '' });
  });

  test('tryagain="true" is handed back even with success="false"', async () => {
    replyOnce(200, envelope('UploadFileChunk', '<root success="false" tryagain="true"/>'));
    const ack = await client.UploadFileChunk({ authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: Buffer.alloc(1), chunkHEXCRC: 'D202EF8D', lastChunk: true });
    expect(ack).toEqual({ success: false, tryagain: true });
  });
});

describe('in-band failures are typed by their code, never by their wording', () => {
  test.each([
    ['[900] Authentication failed', AuthenticationError, 900],
    ['[901] Session expired or Invalid ticket', TicketExpiredError, 901],
    ['[901]Session expired or Invalid ticket', TicketExpiredError, 901],
    ['[902] Ticket generation are not allowed for this user.', TicketNotAllowedError, 902],
    ['[903] Something new', ServiceError, 903],
    ['Invalid upload handler.', InvalidHandlerError, undefined],
    ['bad Request', InvalidHandlerError, undefined],
    ['Invalid download handler. (guid)', InvalidHandlerError, undefined],
    ['Handler not found or expired.', HandlerNotFoundError, undefined],
    ['Document not found', NotFoundError, undefined],
    ['SystemError: Object reference not set to an instance of an object.', ServerError, undefined],
    ['InvalidDocumentIdentifer', ServiceError, undefined],
  ])('%s', async (message, ErrorClass, code) => {
    replyOnce(200, envelope('DeleteUploadHandler', `<response xmlns="" success="false" error="${message}"/>`));
    const error = await deleteHandler().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ operation: 'DeleteUploadHandler', code, serverMessage: message });
  });

  test('a missing success attribute means failure (FolderExists)', async () => {
    replyOnce(200, envelope('FolderExists', '<response error="Folder not found."/>'));
    await expect(client.FolderExists({ authenticationTicket: TICKET, Path: '/Public/x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('success="false" with no error at all is still a ServiceError', async () => {
    replyOnce(200, envelope('DeleteUploadHandler', '<response success="false"/>'));
    await expect(deleteHandler()).rejects.toMatchObject({ name: 'ServiceError', serverMessage: '' });
  });
});

describe('SOAP faults', () => {
  test('SOAP 1.1 fault with HTTP 500', async () => {
    replyOnce(500, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Server did not recognize the value of HTTP Header SOAPAction: x.</faultstring><detail/></soap:Fault></soap:Body></soap:Envelope>`);
    const error = await deleteHandler().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SoapFaultError);
    expect(error).toMatchObject({ faultCode: 'soap:Client', faultString: 'Server did not recognize the value of HTTP Header SOAPAction: x.', httpStatus: 500 });
  });

  test('SOAP 1.2 fault with HTTP 500', async () => {
    replyOnce(500, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP12}"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">Server was unable to process request.</soap:Text></soap:Reason><soap:Detail/></soap:Fault></soap:Body></soap:Envelope>`, 'application/soap+xml; charset=utf-8');
    const error = await client12.DeleteUploadHandler({ authenticationTicket: TICKET, UploadHandler: HANDLER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SoapFaultError);
    expect(error).toMatchObject({ faultCode: 'soap:Receiver', faultString: 'Server was unable to process request.', httpStatus: 500 });
  });
});

describe('replies that are not results are transport errors that may have reached the server', () => {
  test.each([
    ['an HTML error page with 502', 502, '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', 'text/html'],
    ['truncated XML', 200, envelope('DeleteUploadHandler', '<response xmlns="" success="true"/>').slice(0, 150), 'text/xml'],
    ['an empty 500', 500, '', 'text/plain'],
    ['plain text', 503, 'Service Unavailable', 'text/plain'],
    ['the result of another operation', 200, envelope('FolderExists', '<response success="true"/>'), 'text/xml'],
    ['a DOCTYPE with entities (never expanded)', 200, `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${envelope('DeleteUploadHandler', '<response success="true" error="&b;"/>').replace(/^<\?xml[^>]*>/, '')}`, 'text/xml'],
    ['an external entity (never fetched)', 200, `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${envelope('DeleteUploadHandler', '<response success="true" error="&x;"/>').replace(/^<\?xml[^>]*>/, '')}`, 'text/xml'],
  ])('%s', async (_what, status, body, type) => {
    replyOnce(status, body, type);
    const error = await deleteHandler().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ mayHaveReachedServer: true, httpStatus: status, operation: 'DeleteUploadHandler' });
  });

  test('HTTP 413 says the request was not acted on', async () => {
    replyOnce(413, 'Request Entity Too Large', 'text/plain');
    await expect(deleteHandler()).rejects.toMatchObject({ name: 'RequestTooLargeError', mayHaveReachedServer: false, httpStatus: 413 });
  });

  test('a 1.2 request refused without a 1.2 envelope hints that 1.2 may be unsupported', async () => {
    replyOnce(415, 'Unsupported Media Type', 'text/plain');
    await expect(client12.ServerInfo()).rejects.toThrow(/may not support SOAP 1\.2/);
  });

  test('a successful reply missing a required attribute is malformed', async () => {
    replyOnce(200, envelope('CreateUploadHandler', '<response success="true" ChunkSize="4194304"/>'));
    await expect(createHandler()).rejects.toMatchObject({ name: 'MalformedReplyError', handler: undefined, message: expect.stringMatching(/no UploadHandler attribute/) });
  });

  test('a required attribute that does not parse is malformed', async () => {
    replyOnce(200, envelope('CreateUploadHandler', `<response success="true" UploadHandler="${HANDLER}" ChunkSize="big"/>`));
    // The grant names its handler anyway, so that the caller can delete it.
    await expect(createHandler()).rejects.toMatchObject({ name: 'MalformedReplyError', handler: HANDLER, message: expect.stringMatching(/malformed ChunkSize/) });
  });

  test('a connection refused never reached the server', async () => {
    nock.enableNetConnect('127.0.0.1');
    const closed = await createSrvClient({ url: 'http://127.0.0.1:9/srv.asmx' });
    const error = await closed.ServerInfo().catch((e: unknown) => e);
    closed.close();
    nock.disableNetConnect();
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ mayHaveReachedServer: false });
  });
});

describe('tolerant reader: only what the workflow needs is required', () => {
  test('a login reply without expireOn, userid or username carries the ticket', async () => {
    replyOnce(200, envelope('AuthenticateUser', `<root xmlns="" success="true" ticket="${TICKET}"/>`));
    await expect(client.AuthenticateUser({ UID: 'u', PWD: 'p' })).resolves.toEqual({ success: true, ticket: TICKET });
  });

  test('advisory attributes that do not parse, and unknown attributes and children, are left out', async () => {
    const inner = `<root xmlns="" success="true" ticket="${TICKET}" userid="n/a" isAuthenticated="maybe" x-gateway="1"><extra a="b"/>text</root>`;
    replyOnce(200, envelope('AuthenticateUser', inner));
    await expect(client.AuthenticateUser({ UID: 'u', PWD: 'p' })).resolves.toEqual({ success: true, ticket: TICKET });
  });

  test('a finalize reply with success and no DocumentId is a success', async () => {
    replyOnce(200, envelope('UploadDocumentWithHandler', '<root xmlns="" success="true"/>'));
    await expect(client.UploadDocumentWithHandler({ authenticationTicket: TICKET, path: '/Public/a.txt', uploadHandler: HANDLER })).resolves.toEqual({ success: true });
  });

  test('a download chunk with only its bytes is read', async () => {
    replyOnce(200, envelope('DownloadFileChunk', '<response xmlns="" success="true">YWJj</response>'));
    const chunk = await client.DownloadFileChunk({ authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 0, ChunkSize: 262144 });
    expect(chunk).toEqual({ success: true, content: Buffer.from('abc') });
  });

  test('a lookup without CRC32LASTVERSION answers success', async () => {
    replyOnce(200, envelope('DocumentExists', '<response success="true"/>'));
    await expect(client.DocumentExists({ authenticationTicket: TICKET, Path: '/Public/a.txt' })).resolves.toEqual({ success: true });
  });
});
