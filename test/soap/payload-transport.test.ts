// A payload request on the wire: its envelope is written as the connection drains, and the usual
// limits hold while it is: a server that stops reading makes a timeout, a cancel stops it, and a
// server that answers before reading it all leaves a client that still works, whose next chunk,
// written into the memory the refused one used, never reaches the refused connection.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
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

/**
 * A server of its own, on raw sockets: the first connection is answered 413 once its headers are in,
 * and then not read for a while, as a front end that refuses a body it is still receiving; every
 * other request is read whole and acknowledged. What each connection carried is kept.
 */
async function withEarlyRefusal(test: (url: string, carried: Buffer[][]) => Promise<void>): Promise<void> {
  const carried: Buffer[][] = [];
  const server = net.createServer((socket) => {
    const parts: Buffer[] = [];
    const first = carried.length === 0;
    carried.push(parts);
    let size = 0;
    let end: number | undefined;
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      parts.push(data);
      size += data.length;
      if (end === undefined) {
        const head = Buffer.concat(parts).toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        end = head.indexOf('\r\n\r\n') + 4 + Number(/content-length:\s*(\d+)/i.exec(head)?.[1]);
        if (first) {
          socket.write('HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain\r\nContent-Length: 24\r\n\r\nRequest Entity Too Large');
          socket.pause();
          setTimeout(() => socket.resume(), 300);
        }
      }
      if (!first && size === end) socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${ACK.length}\r\n\r\n${ACK}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await test(`http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`, carried);
  } finally {
    server.close();
  }
}

test('a reply before the body is sent stops the body: not a byte of the next chunk, written into the same memory, follows it', async () => {
  // Larger than what the sockets' buffers hold, so that the body is still being written when the reply comes.
  const refused = randomBytes(24 * 1024 * 1024);
  const next = Buffer.alloc(refused.length, 0xfb);
  await withEarlyRefusal(async (url, carried) => {
    const client = await createSrvClient({ url, timeoutMs: 10_000 });
    await expect(client.UploadFileChunk(chunkRequest(refused))).rejects.toMatchObject({ name: 'RequestTooLargeError', httpStatus: 413 });
    await expect(client.UploadFileChunk(chunkRequest(next))).resolves.toEqual({ success: true, tryagain: false });
    // The refused connection is read again meanwhile; closing the client would end it.
    await new Promise((resolve) => setTimeout(resolve, 600));
    client.close();
    const sent = Buffer.concat(carried[0] ?? []).toString('latin1');
    const text = sent.slice(sent.indexOf('<fileChunk>') + '<fileChunk>'.length);
    expect(text.length).toBeGreaterThan(0);
    expect(refused.toString('base64').startsWith(text.replace(/<\/fileChunk>.*$/s, ''))).toBe(true);
  });
});
