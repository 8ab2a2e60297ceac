// Issue 23, part 5: the `aspnetcore` profile is the service on ASP.NET Core's Kestrel with its
// documented default limits. Over raw HTTP: the 413 at exactly 30,000,000 bytes (empty, and the
// connection closed), the minimum request body data rate (a body slower than 240 bytes/s is cut
// once the 5 s grace period is over), the keep-alive timeout of 130 s (a connection idle past the
// 5 s of Node's default still carries the next request), and Kestrel's header limit.
import { Agent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';

const LIMIT = 30_000_000;

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly reusedSocket: boolean;
}

/** One request; `body` as one Buffer with its Content-Length, or (chunked) in 1 MiB pieces without one. */
function exchange(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean; agent?: Agent }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { body, chunked = false } = options;
    const headers = { ...options.headers, ...(body !== undefined && !chunked && { 'Content-Length': String(body.length) }) };
    const request = httpRequest(url, { method: options.method ?? 'GET', headers, agent: options.agent }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts).toString('utf8'), reusedSocket: request.reusedSocket }));
    });
    request.on('error', reject);
    if (body === undefined) return void request.end();
    if (!chunked) return void request.end(body);
    void (async () => {
      for (let at = 0; at < body.length; at += 1_048_576) {
        if (!request.write(body.subarray(at, at + 1_048_576))) await new Promise((drained) => request.once('drain', drained));
      }
      request.end();
    })();
  });
}

/** A form body of exactly `bytes` bytes, for a GET/POST call that ignores the field. */
const formOf = (bytes: number): Buffer => Buffer.concat([Buffer.from('padding='), Buffer.alloc(bytes - 'padding='.length, 0x41)]);
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ profile: 'aspnetcore' });
});
afterAll(() => emulator.close());

describe('aspnetcore: Kestrel’s MaxRequestBodySize, 30,000,000 bytes', () => {
  it('takes a body of exactly 30,000,000 bytes and refuses one byte more with an empty 413 that closes the connection', async () => {
    const at = await exchange(`${emulator.url}/ServerInfo`, { method: 'POST', headers: FORM, body: formOf(LIMIT) });
    expect(at.status).toBe(200);
    expect(at.body).toContain('success="true"');
    const over = await exchange(`${emulator.url}/ServerInfo`, { method: 'POST', headers: FORM, body: formOf(LIMIT + 1) });
    expect({ status: over.status, body: over.body, connection: over.headers.connection, server: over.headers.server }).toEqual({ status: 413, body: '', connection: 'close', server: 'Kestrel' });
  });

  it('refuses a chunked body the same way once it grows past the limit, and a SOAP request too', async () => {
    const chunked = await exchange(`${emulator.url}/ServerInfo`, { method: 'POST', headers: FORM, body: formOf(LIMIT + 1), chunked: true });
    expect([chunked.status, chunked.body]).toEqual([413, '']);
    const soap = await exchange(emulator.url, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://tempuri.org/UploadFileChunk"' }, body: Buffer.alloc(LIMIT + 1, 0x20) });
    expect([soap.status, soap.body, soap.headers.connection]).toEqual([413, '', 'close']);
  });

  it('`maxBodyBytes` is the limit a site raised', async () => {
    const raised = await startEmulator({ profile: 'aspnetcore', maxBodyBytes: LIMIT + 1_000 });
    try {
      expect((await exchange(`${raised.url}/ServerInfo`, { method: 'POST', headers: FORM, body: formOf(LIMIT + 1) })).status).toBe(200);
    } finally {
      await raised.close();
    }
  });
});

describe('aspnetcore: Kestrel’s other limits', () => {
  it('cuts a body that arrives slower than 240 bytes/s once the 5 s grace period is over, with 408', async () => {
    const url = new URL(emulator.url);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // A write that meets the closed connection fails; what counts is the reply that came before.
    socket.on('error', () => undefined);
    socket.write(`POST /srv.asmx/ServerInfo HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n`);
    // 100 bytes a second: well under the minimum rate, but never silent.
    const trickle = setInterval(() => socket.writable && socket.write('A'.repeat(100)), 1_000);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
    }
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
    expect(received).toMatch(/\r\nserver: Kestrel\r\n/i);
  }, 30_000);

  it('takes a body that keeps to the minimum rate, however long it takes past the grace period', async () => {
    const url = new URL(emulator.url);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const size = 8 * 600;
    socket.write(`POST /srv.asmx/ServerInfo HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
    // 600 bytes a second for 8 s.
    for (let sent = 0; sent < size; sent += 600) {
      socket.write(sent === 0 ? `padding=${'A'.repeat(592)}` : 'A'.repeat(600));
      await delay(1_000);
    }
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toContain('success="true"');
  }, 30_000);

  it('keeps an idle connection open past Node’s 5 s (KeepAliveTimeout is 130 s)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await exchange(`${emulator.url}/ServerInfo`, { agent });
      expect([first.status, first.reusedSocket]).toEqual([200, false]);
      await delay(6_500);
      const second = await exchange(`${emulator.url}/ServerInfo`, { agent });
      expect([second.status, second.reusedSocket]).toEqual([200, true]);
    } finally {
      agent.destroy();
    }
  }, 30_000);

  it('takes request headers up to 32 KB (Node’s own limit is 16 KB), answers 431 over it and 414 for a request line over 8 KB', async () => {
    const big = await exchange(`${emulator.url}/ServerInfo`, { headers: { 'X-Padding': 'a'.repeat(24_000) } });
    expect(big.status).toBe(200);
    await expect(exchange(`${emulator.url}/ServerInfo`, { headers: { 'X-Padding': 'a'.repeat(40_000) } })).resolves.toMatchObject({ status: 431 });
    const long = await exchange(`${emulator.url}/ServerInfo?padding=${'a'.repeat(9_000)}`, {});
    expect([long.status, long.body]).toEqual([414, '']);
  });
});
