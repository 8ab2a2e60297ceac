// Replies as servers and proxies send them: compressed (IIS dynamic compression, proxies), in
// UTF-16, with junk after the document, or nested to no end. What HTTP and XML allow is decoded,
// what follows the reply is ignored, a CDATA section in a result is its text and never another
// result, and anything else fails once, naming the encoding or charset:
// never a login repeated over a reply it cannot read.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { createSrvClient, MalformedReplyError, SrvSession } from '../../src/index.js';

const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';

interface Shape {
  /** The reply's text before any encoding. */
  readonly text?: (op: string, binding: Binding) => string;
  readonly encode?: (text: string) => Buffer;
  readonly headers?: Record<string, string>;
}

type Binding = 'soap11' | 'http-post';

const result = (op: string, binding: Binding, inner: string) =>
  binding === 'http-post' ? inner : `<soap:Envelope xmlns:soap="${SOAP}"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;
const loggedIn = (op: string, binding: Binding) => result(op, binding, op === 'LogOut' ? '<root success="true"/>' : `<root success="true" ticket="${TICKET}"/>`);

let shape: Shape = {};
const requests: string[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const op = String(request.headers['soapaction'] ?? request.url ?? '').replace(/^.*\/|"$/g, '');
    requests.push(op);
    request.resume();
    request.on('end', () => {
      const binding: Binding = request.headers['soapaction'] ? 'soap11' : 'http-post';
      const text = (shape.text ?? loggedIn)(op, binding);
      const body = op === 'LogOut' ? Buffer.from(loggedIn(op, binding)) : (shape.encode ?? ((t: string) => Buffer.from(t)))(text);
      response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', ...(op === 'LogOut' ? {} : shape.headers), 'Content-Length': body.length });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
  requests.length = 0;
});

const RETRY = { retries: 5, minDelayMs: 1, maxDelayMs: 2 };
const login = (binding: Binding) => SrvSession.login({ url, user: 'demo', password: 'demo', binding, retry: RETRY });
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

const readable: ReadonlyArray<readonly [string, Shape]> = [
  ['gzip', { encode: (t) => zlib.gzipSync(t), headers: { 'Content-Encoding': 'gzip' } }],
  ['deflate', { encode: (t) => zlib.deflateSync(t), headers: { 'Content-Encoding': 'deflate' } }],
  ['br', { encode: (t) => zlib.brotliCompressSync(t), headers: { 'Content-Encoding': 'br' } }],
  ['UTF-16LE with a BOM', { encode: (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]), headers: { 'Content-Type': 'text/xml; charset=utf-16' } }],
  ['UTF-16BE by its charset alone', { encode: utf16be, headers: { 'Content-Type': 'text/xml; charset=UTF-16BE' } }],
  ['ISO-8859-1 by its XML declaration', { text: (op, b) => `<?xml version="1.0" encoding="ISO-8859-1"?>${loggedIn(op, b)}`, encode: (t) => Buffer.from(t, 'latin1'), headers: { 'Content-Type': 'text/xml' } }],
  ['junk after the reply', { text: (op, b) => `${loggedIn(op, b)}\r\n<html><body>Server Error in '/' Application.</body></html>` }],
  [
    'a result holding a CDATA section with another result in it',
    { text: (op, b) => result(op, b, `<root success="true" ticket="${TICKET}"><![CDATA[<root success="false" error="denied" ticket="00000000-0000-4000-8000-000000000000"/>]]></root>`) },
  ],
];

describe.each(['soap11', 'http-post'] as const)('over %s', (binding) => {
  test.each(readable)('a reply in %s is read, with one login', async (_what, replyShape) => {
    shape = replyShape;
    const session = await login(binding);
    expect(session.ticket).toBe(TICKET);
    await session.close();
    expect(requests.filter((op) => op === 'AuthenticateUser')).toHaveLength(1);
  });

  test.each([
    ['Content-Encoding "compress"', { headers: { 'Content-Encoding': 'compress' } }, /Content-Encoding "compress"/],
    ['a gzip body that does not inflate', { encode: (t: string) => Buffer.from(t), headers: { 'Content-Encoding': 'gzip' } }, /gzip-encoded body that does not decode/],
    ['charset "x-klingon"', { headers: { 'Content-Type': 'text/xml; charset=x-klingon' } }, /charset "x-klingon"/],
  ] as const)('a reply in %s fails once, naming it', async (_what, replyShape, message) => {
    shape = replyShape;
    const error = await login(binding).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedReplyError);
    expect((error as Error).message).toMatch(message);
    expect(requests).toEqual(['AuthenticateUser']);
  });
});

test('a chunk reply nested deeper than any reply of the service is refused unparsed, and not asked for again', async () => {
  const depth = 100_000;
  shape = { text: (op, b) => result(op, b, `<root success="true">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</root>`) };
  const client = await createSrvClient({ url });
  try {
    const error = await client
      .call('DownloadFileChunk', { authenticationTicket: TICKET, DownloadHandler: '11111111-1111-4111-8111-000000000001', StartOffset: 0, ChunkSize: 33_554_432 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedReplyError);
    expect((error as Error).message).toMatch(/nest deeper than 32/);
  } finally {
    client.close();
  }
});
