// A payload request on the wire: its envelope is streamed as the connection drains, and the usual
// limits hold while it is: a server that stops reading makes a timeout, a cancel stops it, and a
// server that answers before reading it all leaves a client that still works.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError, createSrvClient, TimeoutError } from '../../src/index.js';
import { canonicalXml, operationElement } from '../helpers/xml.js';

const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const ACK = '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><UploadFileChunkResponse xmlns="http://tempuri.org/"><UploadFileChunkResult><root success="true" tryagain="false"/></UploadFileChunkResult></UploadFileChunkResponse></soap:Body></soap:Envelope>';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

async function withServer(handler: Handler, test: (url: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await test(`http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const chunkRequest = (fileChunk: Buffer) => ({ authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk, chunkHEXCRC: '0', lastChunk: false });

test.each(['1.1', '1.2'] as const)('SOAP %s: a chunk of several MB arrives whole, its Content-Length exact', async (soapVersion) => {
  const chunk = randomBytes(6 * 1024 * 1024 + 1);
  let received: { length: number; declared: number; body: string } | undefined;
  await withServer(
    (request, response) => {
      const parts: Buffer[] = [];
      request.on('data', (part: Buffer) => parts.push(part));
      request.on('end', () => {
        const body = Buffer.concat(parts);
        received = { length: body.length, declared: Number(request.headers['content-length']), body: body.toString('utf8') };
        response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(ACK);
      });
    },
    async (url) => {
      const client = await createSrvClient({ url, soapVersion });
      await expect(client.UploadFileChunk(chunkRequest(chunk))).resolves.toEqual({ success: true, tryagain: false });
      client.close();
    },
  );
  expect(received?.length).toBe(received?.declared);
  const fields = operationElement(canonicalXml(received?.body ?? '')).children.filter((c) => typeof c !== 'string');
  const fileChunk = fields.find((f) => f.name === '{http://tempuri.org/}fileChunk')?.children[0] as string;
  expect(Buffer.from(fileChunk, 'base64').equals(chunk)).toBe(true);
});

test('a server that stops reading the body makes a timeout; a cancel stops the body too', async () => {
  await withServer(
    (request) => request.pause(),
    async (url) => {
      const client = await createSrvClient({ url });
      await expect(client.UploadFileChunk(chunkRequest(randomBytes(16 * 1024 * 1024)), { timeoutMs: 300 })).rejects.toBeInstanceOf(TimeoutError);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop')), 200);
      await expect(client.UploadFileChunk(chunkRequest(randomBytes(16 * 1024 * 1024)), { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
      client.close();
    },
  );
});

test('a reply sent before the body was read ends the call, and the next call works', async () => {
  await withServer(
    (request, response) => {
      if (Number(request.headers['content-length']) > 1024 * 1024) {
        response.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Request Entity Too Large');
        return;
      }
      request.resume();
      request.on('end', () => response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(ACK));
    },
    async (url) => {
      const client = await createSrvClient({ url, timeoutMs: 5_000 });
      await expect(client.UploadFileChunk(chunkRequest(randomBytes(16 * 1024 * 1024)))).rejects.toMatchObject({ name: 'RequestTooLargeError', httpStatus: 413, mayHaveReachedServer: false });
      await expect(client.UploadFileChunk(chunkRequest(randomBytes(1000)))).resolves.toEqual({ success: true, tryagain: false });
      client.close();
    },
  );
});
