// The download fast path: a DownloadFileChunk reply's base64 text is cut out of the raw bytes as
// they arrive, before node-soap parses the rest. Where it cuts, the result must be the one node-soap's parse
// of the whole reply gives; where the structure is not certain, it must not cut at all.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import soap from 'soap';
import { createSrvClient, SoapFaultError, UnexpectedResponseError, type CallOptions, type SrvClient } from '../../src/index.js';
import { WSDL_PATH } from '../../src/package-files.js';
import { PayloadCut } from '../../src/soap/payload-cut.js';
import { decodeBase64 } from '../../src/soap/result-values.js';

const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const WRAPPER = 'DownloadFileChunkResult';
const ATTRIBUTES = 'success="true" filelength="3" chunklength="3" lastchunk="true" chunkCRC32="352441c2"';

function envelope(inner: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><DownloadFileChunkResponse xmlns="http://tempuri.org/"><${WRAPPER}>${inner}</${WRAPPER}></DownloadFileChunkResponse></soap:Body></soap:Envelope>`;
}

const chunkReply = (text: string, attributes = ATTRIBUTES) => envelope(`<response xmlns="" ${attributes}>${text}</response>`);

let reference: soap.Client;
beforeAll(async () => {
  reference = await soap.createClientAsync(WSDL_PATH, { disableCache: true });
});

/** The content node-soap's parse of the whole reply gives: what the client returned before the cut existed. */
function contentByNodeSoap(body: string): Buffer {
  const parsed = reference.wsdl.xmlToObject(body) as { Body: Record<string, Record<string, Record<string, { $value?: string }>>> };
  const result = parsed.Body['DownloadFileChunkResponse']?.[WRAPPER] ?? {};
  const element = Object.entries(result).find(([key]) => key !== 'attributes')?.[1];
  return decodeBase64(typeof element === 'string' ? element : (element?.$value ?? ''));
}

/** What the parser gets and the decoded text, feeding the reply in pieces of `piece` bytes; undefined when nothing was cut. */
function cutPayload(body: Buffer, piece = body.length || 1): { rest: string; payload: Buffer } | undefined {
  const cut = new PayloadCut(WRAPPER, Buffer.allocUnsafe, body.length, body.length);
  for (let at = 0; at < body.length; at += piece) cut.add(body.subarray(at, at + piece));
  const rest = cut.bytes().toString('utf8');
  return cut.extracted && { rest, payload: cut.extracted.payload };
}

describe('PayloadCut', () => {
  const cut = (body: string) => cutPayload(Buffer.from(body));

  test('cuts the text out, keeps everything else, and decodes it', () => {
    const body = chunkReply('YWJj');
    expect(cut(body)).toEqual({ rest: chunkReply(''), payload: Buffer.from('abc') });
  });

  test.each([
    ['a prefixed result element', envelope(`<a:response xmlns:a="urn:x" ${ATTRIBUTES}>YWJj</a:response>`)],
    ['a prefixed wrapper', envelope('').replace(`<${WRAPPER}></${WRAPPER}>`, `<t:${WRAPPER} xmlns:t="http://tempuri.org/"><response ${ATTRIBUTES}>YWJj</response></t:${WRAPPER}>`)],
    ['a UTF-8 BOM and whitespace between elements', `\uFEFF${chunkReply('YWJj').replace(`<${WRAPPER}>`, `<${WRAPPER}>\n  `)}`],
    ['">" and quotes inside attribute values', chunkReply('YWJj', `${ATTRIBUTES} error="a > b 'c'" note='"'`)],
    ['whitespace and line breaks inside the base64', chunkReply('YW\r\n J\tj\n')],
    ['an unpadded tail', chunkReply('YWJjZA')],
  ])('%s', (_what, body) => {
    const result = cut(body);
    expect(result?.payload).toEqual(contentByNodeSoap(body));
    expect(result?.rest).not.toContain('YW');
  });

  test.each([
    ['a character reference in the text', chunkReply('YW&#x4A;j')],
    ['a CDATA section', chunkReply('<![CDATA[YWJj]]>')],
    ['a comment inside the text', chunkReply('YW<!-- x -->Jj')],
    ['a comment before the result', chunkReply('YWJj').replace('<soap:Body>', '<soap:Body><!-- <DownloadFileChunkResult><response>QUFB</response> -->')],
    ['a DOCTYPE', `<!DOCTYPE x>${chunkReply('YWJj').replace(/^<\?xml[^>]*>/, '')}`],
    ['a processing instruction', chunkReply('YWJj').replace('<soap:Body>', '<soap:Body><?pi <DownloadFileChunkResult><response>QUFB?>')],
    ['a child element inside the text', chunkReply('YW<b/>Jj')],
    ['an empty result element', envelope(`<response ${ATTRIBUTES}/>`)],
    ['no result element', envelope('')],
    ['a reply cut inside the base64', chunkReply('YWJjYWJj').slice(0, chunkReply('').indexOf('</response>') + 4)],
    ['an end tag of another element', chunkReply('YWJj').replace('</response>', '</other></response>')],
    ['a fault', `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>DownloadFileChunkResult</faultstring></soap:Fault></soap:Body></soap:Envelope>`],
    ['HTML', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['binary noise', randomBytes(2000).toString('latin1')],
  ])('does not cut %s', (_what, body) => {
    expect(cutPayload(Buffer.from(body, 'latin1'))).toBeUndefined();
  });

  test('a reply that arrives in pieces of any size is cut as it is whole; one it does not cut is handed over byte for byte', () => {
    const bytes = randomBytes(5000);
    const replies = [chunkReply(bytes.toString('base64')), chunkReply(bytes.toString('base64').replace(/.{76}/g, '$&\r\n')), chunkReply('YWJj'), chunkReply('YW&#x4A;j'), chunkReply('YWJjZA'), chunkReply('YWJj=QUFB')];
    for (const reply of replies) {
      const body = Buffer.from(reply);
      const whole = cutPayload(body);
      for (const piece of [1, 2, 3, 5, 7, 64, 1000]) {
        const cut = new PayloadCut(WRAPPER, Buffer.allocUnsafe, body.length, undefined);
        for (let at = 0; at < body.length; at += piece) cut.add(body.subarray(at, at + piece));
        const rest = cut.bytes();
        expect(cut.extracted?.payload).toEqual(whole?.payload);
        if (whole) expect(rest.toString('utf8')).toBe(whole.rest);
        else expect(rest.equals(body)).toBe(true);
      }
    }
  });

  test('a text longer than the memory it may use is handed over whole, never cut short', () => {
    const body = Buffer.from(chunkReply(randomBytes(3000).toString('base64')));
    const cut = new PayloadCut(WRAPPER, Buffer.allocUnsafe, 2999, body.length);
    cut.add(body);
    expect(cut.bytes().equals(body)).toBe(true);
    expect(cut.extracted).toBeUndefined();
  });

  test('random payloads, wrapped or not, with stray whitespace or not, decode as node-soap’s text would', () => {
    for (let i = 0; i < 18; i++) {
      const size = [0, 1, 2, 3, 47, 49_153][Math.floor(i / 3)] as number;
      let text = randomBytes(size).toString('base64');
      if (i % 3 === 1) text = text.replace(/.{76}/g, '$&\r\n');
      if (i % 3 === 2) text = `${text.slice(0, text.length >> 1)} \t${text.slice(text.length >> 1)}\n`;
      const body = chunkReply(text);
      const result = cut(body);
      expect(result?.payload).toEqual(contentByNodeSoap(body));
      expect(result?.rest).toBe(chunkReply(''));
    }
  });
});

describe('through the client, every reply gives what node-soap’s parse of it gives', () => {
  let client: SrvClient;
  let server: http.Server;
  let next: { status: number; body: string } = { status: 200, body: '' };
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(next.status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(next.body) }).end(next.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = await createSrvClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx` });
  });
  afterAll(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const download = (body: string, status = 200, options: CallOptions = {}) => {
    next = { status, body };
    return client.DownloadFileChunk({ authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 0, ChunkSize: 262144 }, options);
  };

  test.each([
    ['clean base64', chunkReply('YWJj')],
    ['line-wrapped base64', chunkReply(randomBytes(3000).toString('base64').replace(/.{76}/g, '$&\r\n'))],
    ['a character reference', chunkReply('YW&#x4A;j')],
    ['a CDATA section', chunkReply('<![CDATA[YWJj]]>')],
    ['a comment inside the text', chunkReply('YW<!-- x -->Jj')],
    ['a payload over two slices', chunkReply(randomBytes(100_000).toString('base64'))],
  ])('%s', async (_what, body) => {
    const result = await download(body);
    expect(result.content).toEqual(contentByNodeSoap(body));
    expect(result).toMatchObject({ success: true, filelength: 3, chunklength: 3, lastchunk: true, chunkCRC32: '352441c2' });
  });

  test('a truncated reply, a fault and a failure are the same errors as before', async () => {
    await expect(download(chunkReply('YWJjYWJj').slice(0, -60))).rejects.toBeInstanceOf(UnexpectedResponseError);
    const fault = `<soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
    await expect(download(fault, 500)).rejects.toBeInstanceOf(SoapFaultError);
    await expect(download(envelope('<response xmlns="" success="false" error="Invalid download handler. (guid)"/>'))).rejects.toMatchObject({ name: 'InvalidHandlerError' });
  });

  test('content given back with recycle() is the memory a later chunk is decoded into; content not given back is never reused', async () => {
    const bytes = randomBytes(70_000);
    const first = await download(chunkReply(bytes.toString('base64')));
    client.recycle(first.content);
    const second = await download(chunkReply(randomBytes(60_000).toString('base64')));
    expect(second.content.buffer).toBe(first.content.buffer);
    const third = await download(chunkReply(bytes.toString('base64')));
    expect(third.content.buffer).not.toBe(second.content.buffer);
    expect(third.content).toEqual(bytes);
  });

  test('a result’s bytes stay intact after later calls, whose replies may reuse the reply memory', async () => {
    const first = randomBytes(60_000);
    const second = randomBytes(50_000);
    const a = await download(chunkReply(first.toString('base64')));
    const b = await download(chunkReply(second.toString('base64')));
    expect(a.content).toEqual(first);
    expect(b.content).toEqual(second);
  });
});
