// The client's own behaviour over a real local HTTP server: connection reuse, timeouts,
// cancellation, independent clients, and exchange records that never carry a secret.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortError, createSrvClient, InvalidArgumentError, TimeoutError, type ExchangeRecord, type SrvClient } from '../../src/index.js';

const PASSWORD = 'Pa55-w0rd!secret';
const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const NEW_TICKET = '9c1f5e7a-1111-4222-8333-944455556666';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in server: answers every op with a canned success, after `delayMs` when set. */
async function startServer(options: { delayMs?: number } = {}) {
  const seen: Seen[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      const action = /tempuri\.org\/(\w+)/.exec(String(req.headers['soapaction'] ?? req.headers['content-type']))?.[1] ?? '';
      const inner = action === 'AuthenticateUser'
        ? `<root success="true" ticket="${NEW_TICKET}" userid="1" username="demo" expireOn="2026-12-21T00:00:00Z"/>`
        : action === 'UploadFileChunk' ? '<root success="true" tryagain="false"/>' : '<response xmlns="" success="true" error=""/>';
      const xml = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${action}Response xmlns="http://tempuri.org/"><${action}Result>${inner}</${action}Result></${action}Response></soap:Body></soap:Envelope>`;
      setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(xml), options.delayMs ?? 0);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`;
  return {
    url,
    seen,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const deleteRequest = { authenticationTicket: TICKET, UploadHandler: HANDLER };

describe('connections', () => {
  test('keep-alive connections are reused across calls', async () => {
    const server = await startServer();
    const client = await createSrvClient({ url: server.url });
    for (let i = 0; i < 5; i++) await client.DeleteUploadHandler(deleteRequest);
    client.close();
    await server.close();
    expect(server.seen).toHaveLength(5);
    expect(server.connections()).toBe(1);
  });

  test('two clients with different SOAP versions and endpoints do not affect each other', async () => {
    const a = await startServer();
    const b = await startServer();
    const client11 = await createSrvClient({ url: a.url });
    const client12 = await createSrvClient({ url: b.url, soapVersion: '1.2' });
    await Promise.all([client11.DeleteUploadHandler(deleteRequest), client12.DeleteUploadHandler(deleteRequest)]);
    await client11.DeleteUploadHandler(deleteRequest);
    client11.close();
    client12.close();
    await Promise.all([a.close(), b.close()]);
    expect(a.seen).toHaveLength(2);
    for (const request of a.seen) {
      expect(request.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(request.headers['soapaction']).toBe('"http://tempuri.org/DeleteUploadHandler"');
      expect(request.body).toContain('http://schemas.xmlsoap.org/soap/envelope/');
    }
    expect(b.seen).toHaveLength(1);
    expect(b.seen[0]?.headers['content-type']).toMatch(/^application\/soap\+xml/);
    expect(b.seen[0]?.body).toContain('http://www.w3.org/2003/05/soap-envelope');
  });
});

describe('limits', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let client: SrvClient;
  beforeAll(async () => {
    server = await startServer({ delayMs: 300 });
    client = await createSrvClient({ url: server.url, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  test('a call times out with a TimeoutError that may have reached the server', async () => {
    const error = await client.DeleteUploadHandler(deleteRequest, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ mayHaveReachedServer: true, message: expect.stringMatching(/50 ms/) });
  });

  test('the client-wide default timeout applies when the call sets none', async () => {
    const quick = await createSrvClient({ url: server.url, timeoutMs: 40 });
    await expect(quick.DeleteUploadHandler(deleteRequest)).rejects.toBeInstanceOf(TimeoutError);
    quick.close();
  });

  test('an AbortSignal cancels a call under way', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 30);
    const error = await client.DeleteUploadHandler(deleteRequest, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error('user cancelled'));
  });

  test('an already aborted signal sends nothing', async () => {
    const before = server.seen.length;
    await expect(client.DeleteUploadHandler(deleteRequest, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.seen.length).toBe(before);
  });

  test('options are validated', async () => {
    await expect(createSrvClient({ url: 'ftp://x/srv.asmx' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createSrvClient({ url: 'not a url' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createSrvClient({ url: server.url, soapVersion: '1.3' as '1.2' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createSrvClient({ url: server.url, timeoutMs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('exchange records', () => {
  test('each call gets its own record; no password, ticket or base64 body appears in any of them', async () => {
    const server = await startServer();
    const clientRecords: ExchangeRecord[] = [];
    const client = await createSrvClient({ url: server.url, onExchange: (r) => clientRecords.push(r) });
    const callRecords: ExchangeRecord[] = [];
    const chunk = Buffer.alloc(3000, 7);
    await Promise.all([
      client.AuthenticateUser({ UID: 'demo', PWD: PASSWORD }, { onExchange: (r) => callRecords.push(r) }),
      client.UploadFileChunk({ authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: chunk, chunkHEXCRC: '0', lastChunk: true }),
      client.RenewTicket({ UID: 'demo', PWD: PASSWORD, OldTicket: TICKET }).catch(() => undefined),
    ]);
    client.close();
    await server.close();

    expect(callRecords.map((r) => r.operation)).toEqual(['AuthenticateUser']);
    expect(clientRecords.map((r) => r.operation).sort()).toEqual(['AuthenticateUser', 'RenewTicket', 'UploadFileChunk']);
    const auth = clientRecords.find((r) => r.operation === 'AuthenticateUser') as ExchangeRecord;
    expect(auth.request.headers['SOAPAction']).toBe('"http://tempuri.org/AuthenticateUser"');
    expect(auth.response?.status).toBe(200);
    expect(auth.request.body).toContain('<UID>demo</UID>');
    const upload = clientRecords.find((r) => r.operation === 'UploadFileChunk') as ExchangeRecord;
    expect(upload.request.body).toContain('[4000 base64 characters]');

    const everything = JSON.stringify([...clientRecords, ...callRecords]);
    for (const secret of [PASSWORD, TICKET, NEW_TICKET, chunk.toString('base64')]) expect(everything).not.toContain(secret);
  });

  test('a failed call records its error, without secrets', async () => {
    const records: ExchangeRecord[] = [];
    const client = await createSrvClient({ url: 'http://127.0.0.1:9/srv.asmx', onExchange: (r) => records.push(r) });
    const error = await client.AuthenticateUser({ UID: 'demo', PWD: PASSWORD }).catch((e: unknown) => e);
    client.close();
    expect(records).toHaveLength(1);
    expect(records[0]?.error).toMatch(/^TransportError: /);
    expect(records[0]?.response).toBeUndefined();
    expect(JSON.stringify(records) + String(error) + JSON.stringify(error)).not.toContain(PASSWORD);
  });
});
