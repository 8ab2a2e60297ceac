// The generated payload requests (UploadFileChunk): the same envelope and headers as node-soap
// builds for the same request, for any string and any payload size, in both SOAP versions; the
// streamed body is exactly that envelope; its exchange record is what redact() makes of the text.
import soap from 'soap';
import { PAYLOAD_REQUESTS, type SoapVersion, type UploadFileChunkRequest } from '../../generated/srv.js';
import { WSDL_PATH } from '../../src/package-files.js';
import { redact, redactPayloadRequest } from '../../src/soap/exchange.js';
import { base64Length, payloadBody } from '../../src/soap/payload-body.js';
import { canonicalXml } from '../helpers/xml.js';

const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

interface Sent {
  headers: Record<string, string>;
  body: string;
}

/** What node-soap sends for `request`, captured at its HTTP client. */
async function nodeSoapRequest(version: SoapVersion, request: UploadFileChunkRequest): Promise<Sent> {
  let sent: Sent | undefined;
  const client = await soap.createClientAsync(WSDL_PATH, {
    disableCache: true,
    endpoint: 'http://srv.test/srv.asmx',
    forceSoap12Headers: version === '1.2',
    httpClient: {
      request: (_url: string, body: string, callback: (error: Error) => void, headers: Record<string, string>) => {
        sent = { headers, body };
        callback(new Error('captured'));
      },
    } as unknown as soap.IHttpClient,
  });
  const port = (client as unknown as Record<string, Record<string, Record<string, (args: unknown, callback: () => void) => void>>>)['srv']?.[version === '1.1' ? 'srvSoap' : 'srvSoap12'];
  await new Promise<void>((resolve) => port?.['UploadFileChunk']?.({ ...request, fileChunk: request.fileChunk.toString('base64') }, () => resolve()));
  return sent as Sent;
}

/** Everything the streamed body writes, joined. */
function bodyBytes(request: UploadFileChunkRequest, version: SoapVersion): Buffer {
  const body = payloadBody(PAYLOAD_REQUESTS.UploadFileChunk(version, request));
  const pieces: Buffer[] = [];
  const iterator = body.pieces();
  for (let piece = iterator.next(); !piece.done; piece = iterator.next()) pieces.push(typeof piece.value === 'string' ? Buffer.from(piece.value, 'latin1') : piece.value);
  const bytes = Buffer.concat(pieces);
  expect(bytes.length).toBe(body.byteLength);
  return bytes;
}

const request = (overrides: Partial<UploadFileChunkRequest> = {}): UploadFileChunkRequest => ({
  authenticationTicket: TICKET,
  uploadHandler: HANDLER,
  fileChunk: Buffer.from('hello'),
  chunkHEXCRC: '3610A686',
  lastChunk: true,
  ...overrides,
});

describe.each<SoapVersion>(['1.1', '1.2'])('SOAP %s', (version) => {
  test.each([
    ['a plain chunk', request()],
    ['not the last chunk', request({ lastChunk: false })],
    ['an empty chunk', request({ fileChunk: Buffer.alloc(0) })],
    ['1 and 2 bytes (padding)', request({ fileChunk: Buffer.from([0xff]) })],
    ['2 bytes', request({ fileChunk: Buffer.from([0xfb, 0xff]) })],
    ['a chunk over several base64 slices', request({ fileChunk: Buffer.alloc(200_003, 0xa7) })],
    ['markup characters in the ticket and handler', request({ authenticationTicket: `a&b<c>"d'e]]>`, uploadHandler: '&amp; <![CDATA[x]]' })],
    ['whitespace that parsers normalize', request({ authenticationTicket: 't\tu\r\nv\rw\nx ', uploadHandler: ' ' })],
    ['non-ASCII text', request({ authenticationTicket: 'Grüße, 票 🎫', chunkHEXCRC: 'ÄB' })],
  ])('%s: the envelope means what node-soap sends, and the headers are its', async (_what, chunk) => {
    const expected = await nodeSoapRequest(version, chunk);
    const payload = PAYLOAD_REQUESTS.UploadFileChunk(version, chunk);
    expect(payload.headers).toEqual(expected.headers);
    expect(canonicalXml(bodyBytes(chunk, version).toString('utf8'))).toEqual(canonicalXml(expected.body));
  });
});

test('the payload is the caller’s bytes, not a copy; ticket and handler are escaped once, in the head', () => {
  const chunk = request({ authenticationTicket: 'a&b' });
  const payload = PAYLOAD_REQUESTS.UploadFileChunk('1.1', chunk);
  expect(payload.payload).toBe(chunk.fileChunk);
  expect(payload.head.toString()).toContain('<authenticationTicket>a&amp;b</authenticationTicket>');
  expect(payload.head.toString()).toMatch(/<fileChunk>$/);
  expect(payload.tail.toString()).toMatch(/^<\/fileChunk><chunkHEXCRC>3610A686<\/chunkHEXCRC><lastChunk>true<\/lastChunk>/);
});

test('the exchange record of a payload request is redact() of its text, for payloads around the elision length', () => {
  for (let size = 0; size <= 64; size++) {
    const chunk = request({ fileChunk: Buffer.alloc(size, 0x41), authenticationTicket: 'sec&ret' });
    const payload = PAYLOAD_REQUESTS.UploadFileChunk('1.1', chunk);
    const text = `${payload.head.toString()}${chunk.fileChunk.toString('base64')}${payload.tail.toString()}`;
    expect(redactPayloadRequest(payload, ['sec&ret'])).toBe(redact(text, ['sec&ret']));
    expect(base64Length(size)).toBe(chunk.fileChunk.toString('base64').length);
  }
});
