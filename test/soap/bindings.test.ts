// Each binding writes an operation's request (method, URL, headers, body) and reads its reply, in
// the binding's own form, into the same typed result or the same typed error; a chunk's base64 is
// cut out of the reply by the sink the binding made for the call, whatever the form.
import { randomBytes } from 'node:crypto';
import { OPERATIONS, type OperationDescriptor } from '../../generated/srv.js';
import { InvalidHandlerError, UnexpectedResponseError } from '../../src/errors.js';
import type { HttpReply, StreamedBody } from '../../src/http/transport.js';
import { encodeArguments } from '../../src/soap/arguments.js';
import type { Binding, BindingRequest } from '../../src/soap/bindings/binding.js';
import { HttpGetBinding } from '../../src/soap/bindings/http-get.js';
import { HttpPostBinding } from '../../src/soap/bindings/http-post.js';
import { SoapBinding } from '../../src/soap/bindings/soap.js';
import { replyParser } from '../../src/soap/reply-parser.js';

const ENDPOINT = new URL('http://srv.test/srv.asmx');
const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const ENVELOPES = { '1.1': 'http://schemas.xmlsoap.org/soap/envelope/', '1.2': 'http://www.w3.org/2003/05/soap-envelope' } as const;

type Form = 'soap11' | 'soap12' | 'http-post' | 'http-get';
const notices: string[] = [];
let bindings: Record<Form, Binding>;
beforeAll(async () => {
  const parse = await replyParser();
  bindings = {
    soap11: new SoapBinding('1.1', ENDPOINT, Buffer.allocUnsafe, parse),
    soap12: new SoapBinding('1.2', ENDPOINT, Buffer.allocUnsafe, parse),
    'http-post': new HttpPostBinding(ENDPOINT, 'multipart', Buffer.allocUnsafe),
    'http-get': new HttpGetBinding(ENDPOINT, 'multipart', Buffer.allocUnsafe, (message) => notices.push(message), true),
  };
});

/** A reply of `op` as a server of binding `form` sends it: in its envelope, or the bare element after a BOM and a declaration. */
function replyIn(form: Form, op: OperationDescriptor, element: string): string {
  if (form === 'http-post' || form === 'http-get') return `\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n${element}`;
  const version = form === 'soap12' ? '1.2' : '1.1';
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ENVELOPES[version]}"><soap:Body><${op.name}Response xmlns="http://tempuri.org/"><${op.resultElement}>${element}</${op.resultElement}></${op.name}Response></soap:Body></soap:Envelope>`;
}

/** What the transport does with the request's sink: the reply's bytes through it, in pieces, and its bytes() as the body. */
function receive(request: BindingRequest, text: string, status = 200, contentType = 'text/xml; charset=utf-8'): HttpReply {
  const bytes = Buffer.from(text);
  const sink = request.cut;
  if (!sink) return { status, statusText: '', headers: { 'content-type': contentType }, body: bytes };
  sink.begin(bytes.length);
  for (let at = 0; at < bytes.length; at += 1000) sink.add(bytes.subarray(at, at + 1000));
  return { status, statusText: '', headers: { 'content-type': contentType }, body: sink.bytes() };
}

function bodyText(body: Buffer | StreamedBody): string {
  if (Buffer.isBuffer(body)) return body.toString('latin1');
  const pieces: string[] = [];
  const iterator = body.pieces();
  for (let next = iterator.next(); !next.done; next = iterator.next()) pieces.push(next.value.toString('latin1'));
  return pieces.join('');
}

const FORMS: readonly Form[] = ['soap11', 'soap12', 'http-post', 'http-get'];
const deleteHandler = OPERATIONS.DeleteDownloadHandler;
const deleteArgs = encodeArguments(deleteHandler, { authenticationTicket: TICKET, DownloadHandler: HANDLER });
const download = OPERATIONS.DownloadFileChunk;
const downloadArgs = encodeArguments(download, { authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 0, ChunkSize: 3000 });

describe('each binding writes its request', () => {
  test('SOAP 1.1: POST to the endpoint, text/xml and a quoted SOAPAction, the 1.1 envelope', () => {
    const request = bindings.soap11.write(deleteHandler, deleteArgs);
    expect([request.method, request.url.href]).toEqual(['POST', ENDPOINT.href]);
    expect(request.headers).toEqual({ 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://tempuri.org/DeleteDownloadHandler"' });
    expect(bodyText(request.body)).toContain(`<soap:Envelope xmlns:soap="${ENVELOPES['1.1']}"><soap:Body><DeleteDownloadHandler xmlns="http://tempuri.org/"><authenticationTicket>${TICKET}</authenticationTicket>`);
    expect(request.recorded([TICKET])).not.toContain(TICKET);
  });

  test('SOAP 1.2: the action in the Content-Type, the 1.2 envelope', () => {
    const request = bindings.soap12.write(deleteHandler, deleteArgs);
    expect(request.headers).toEqual({ 'Content-Type': 'application/soap+xml; charset=utf-8; action="http://tempuri.org/DeleteDownloadHandler"' });
    expect(bodyText(request.body)).toContain(`xmlns:soap="${ENVELOPES['1.2']}"`);
  });

  test('HTTP POST: a urlencoded form to …/srv.asmx/{Op}', () => {
    const request = bindings['http-post'].write(deleteHandler, deleteArgs);
    expect([request.method, request.url.href]).toEqual(['POST', `${ENDPOINT.href}/DeleteDownloadHandler`]);
    expect(request.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(bodyText(request.body)).toBe(`authenticationTicket=${TICKET}&DownloadHandler=${HANDLER}`);
    expect(request.recorded([TICKET])).toBe(`authenticationTicket=[redacted]&DownloadHandler=${HANDLER}`);
  });

  test('HTTP GET with ticketInUrl: a query string where the WSDL declares the call on GET; else POST, told once per operation', () => {
    const get = bindings['http-get'].write(deleteHandler, deleteArgs);
    expect([get.method, get.url.href, get.headers, bodyText(get.body)]).toEqual(['GET', `${ENDPOINT.href}/DeleteDownloadHandler?authenticationTicket=${TICKET}&DownloadHandler=${HANDLER}`, {}, '']);
    notices.length = 0;
    const post = bindings['http-get'].write(download, downloadArgs);
    bindings['http-get'].write(download, downloadArgs);
    expect([post.method, post.url.href]).toEqual(['POST', `${ENDPOINT.href}/DownloadFileChunk`]);
    expect(notices).toEqual([expect.stringMatching(/^DownloadFileChunk goes by HTTP POST, not GET/)]);
  });

  test('HTTP GET: a call that carries the ticket goes by POST unless the user asks for GET knowingly, and is told once', () => {
    const told: string[] = [];
    const binding = new HttpGetBinding(ENDPOINT, 'multipart', Buffer.allocUnsafe, (message) => told.push(message), false);
    const request = binding.write(deleteHandler, deleteArgs);
    binding.write(deleteHandler, deleteArgs);
    expect([request.method, request.url.href]).toEqual(['POST', `${ENDPOINT.href}/DeleteDownloadHandler`]);
    expect(told).toEqual([expect.stringMatching(/^DeleteDownloadHandler goes by HTTP POST, not GET: it carries the ticket/)]);
    const withTicket: string[] = [];
    const knowingly = new HttpGetBinding(ENDPOINT, 'multipart', Buffer.allocUnsafe, (message) => withTicket.push(message), true);
    knowingly.write(deleteHandler, deleteArgs);
    knowingly.write(deleteHandler, deleteArgs);
    expect(withTicket).toEqual([expect.stringMatching(/^the ticket goes in the URLs/)]);
  });

  test('a chunk call gets a sink that cuts the base64 out of its reply, and a reply limit that fits the chunk; other calls get neither', () => {
    for (const form of FORMS) {
      expect(bindings[form].write(download, downloadArgs).cut).toBeDefined();
      expect(bindings[form].write(download, downloadArgs).maxReplyBytes).toBeGreaterThan(4000);
      expect(bindings[form].write(deleteHandler, deleteArgs).cut).toBeUndefined();
    }
  });
});

describe('each binding reads its reply into the same typed result or error', () => {
  test.each(FORMS)('%s: a result', (form) => {
    const binding = bindings[form];
    const request = binding.write(deleteHandler, deleteArgs);
    const reply = receive(request, replyIn(form, deleteHandler, '<response xmlns="" success="true" error=""/>'));
    expect(binding.read(deleteHandler, request, reply, [])).toEqual({ success: true, error: '' });
  });

  test.each(FORMS)("%s: a chunk, its base64 cut out as the reply arrives", (form) => {
    const binding = bindings[form];
    const bytes = randomBytes(3000);
    const request = binding.write(download, downloadArgs);
    const reply = receive(request, replyIn(form, download, `<response xmlns="" success="true" chunklength="3000" lastchunk="true">${bytes.toString('base64')}</response>`));
    expect(request.cut?.extracted?.payload).toEqual(bytes);
    expect(reply.body.length).toBeLessThan(1000);
    expect(binding.read(download, request, reply, [])).toEqual({ success: true, chunklength: 3000, lastchunk: true, content: bytes });
    expect(binding.recorded(request, reply)).toContain('>[4000 base64 characters]</response>');
  });

  test.each(FORMS)('%s: an in-band failure, its ticket redacted', (form) => {
    const binding = bindings[form];
    const request = binding.write(deleteHandler, deleteArgs);
    const reply = receive(request, replyIn(form, deleteHandler, `<response xmlns="" success="false" error="Invalid download handler. (${TICKET})"/>`));
    const read = () => binding.read(deleteHandler, request, reply, [TICKET]);
    expect(read).toThrow(InvalidHandlerError);
    expect(read).toThrow(/^DeleteDownloadHandler failed: Invalid download handler\. \(\[redacted\]\)$/);
  });

  test.each(FORMS)('%s: a reply that is no result of the call', (form) => {
    const binding = bindings[form];
    const request = binding.write(deleteHandler, deleteArgs);
    const reply = receive(request, 'System.InvalidOperationException: boom\r\n', 500, 'text/plain; charset=utf-8');
    expect(() => binding.read(deleteHandler, request, reply, [])).toThrow(UnexpectedResponseError);
  });

  test('the record of a bare reply is the element as it came, without the prologue before it; of a SOAP reply, the whole', () => {
    const element = '<response success="true" error=""/>';
    const post = bindings['http-post'].write(deleteHandler, deleteArgs);
    expect(bindings['http-post'].recorded(post, receive(post, replyIn('http-post', deleteHandler, element)))).toBe(element);
    const soap = bindings.soap11.write(deleteHandler, deleteArgs);
    expect(bindings.soap11.recorded(soap, receive(soap, replyIn('soap11', deleteHandler, element)))).toBe(replyIn('soap11', deleteHandler, element));
  });

  test("a sink given a second reply (an NTLM handshake's) keeps only that one", () => {
    const binding = bindings['http-post'];
    const request = binding.write(download, downloadArgs);
    receive(request, '<html>401</html>', 401, 'text/html');
    const reply = receive(request, '<response success="true" chunklength="3" lastchunk="true">YWJj</response>');
    expect(binding.read(download, request, reply, [])).toEqual({ success: true, chunklength: 3, lastchunk: true, content: Buffer.from('abc') });
  });
});
