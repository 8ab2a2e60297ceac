// The keep-alive idle race: a request written on a kept connection just as the server closes it as
// idle. The client keeps no connection idle longer than servers commonly keep one, so the race does
// not happen; where a kept connection is reset before any reply anyway, nothing tells a server that
// never read the request from one that acted on it and then died, so the request may have been
// acted on, and says so (a chunk is then resent only under the proof rule).
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpTransport } from '../../src/http/transport.js';
import { TransportError } from '../../src/errors.js';

const REPLY = 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';

/** A server that answers the first request of each connection and resets the connection on the next one, unread. */
async function resettingServer(resetFirst: boolean): Promise<{ url: URL; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    let requests = 0;
    socket.on('data', () => {
      requests += 1;
      if (resetFirst || requests > 1) socket.resetAndDestroy();
      else socket.write(REPLY);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/srv.asmx`), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const request = (url: URL) => ({ url, headers: { 'Content-Type': 'text/xml' }, body: '<x/>', timeoutMs: 5_000, label: 'UploadFileChunk' });

test('a kept connection reset before any reply: the request may have been acted on', async () => {
  const server = await resettingServer(false);
  const transport = new HttpTransport();
  try {
    await transport.send(request(server.url));
    const error = await transport.send(request(server.url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ mayHaveReachedServer: true, code: 'ECONNRESET' });
  } finally {
    transport.close();
    await server.close();
  }
});

test('a fresh connection reset before any reply: the request may have been acted on', async () => {
  const server = await resettingServer(true);
  const transport = new HttpTransport();
  try {
    const error = await transport.send(request(server.url)).catch((e: unknown) => e);
    expect(error).toMatchObject({ mayHaveReachedServer: true, code: 'ECONNRESET' });
  } finally {
    transport.close();
    await server.close();
  }
});

test('a connection idle longer than servers commonly keep one is not reused', async () => {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.on('data', () => socket.write(REPLY));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`);
  const transport = new HttpTransport({ idleSocketMs: 200 });
  try {
    await transport.send(request(url));
    await transport.send(request(url));
    expect(connections).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await transport.send(request(url));
    expect(connections).toBe(2);
  } finally {
    transport.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
