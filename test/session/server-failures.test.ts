// Failures as users meet them in front of real servers: classic ASMX faults are retried where the
// call may be repeated and never where the request was refused; a wrong URL, HTTP authentication,
// an unknown host and an oversized reply fail at once, with a message that says what to check.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from '../helpers/nock.js';
import {
  EndpointError,
  HostNotFoundError,
  HttpAuthenticationError,
  ReplyTooLargeError,
  SoapFaultError,
  SrvSession,
  UnexpectedResponseError,
  type SessionWarning,
} from '../../src/index.js';
import { soapReply as envelope } from '../helpers/fake-srv.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const BASE = 'http://srv.test';
const URL = `${BASE}/srv.asmx`;
const TICKET = 'ticket-1';
const LOGIN_REPLY = envelope('AuthenticateUser', `<root xmlns="" success="true" ticket="${TICKET}"/>`);
const FOUND = envelope('DocumentExists', '<response xmlns="" success="true" CRC32LASTVERSION="352441c2"/>');

function classicFault(code: string, text: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>${code}</faultcode><faultstring>${text}</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>`;
}

const SERVER_FAULT = classicFault(
  'soap:Server',
  'System.Web.Services.Protocols.SoapException: Server was unable to process request. ---&gt; System.Data.SqlClient.SqlException: Timeout expired.\n   at Srv.DocumentExists(String authenticationTicket, String Path) in C:\\inetpub\\Srv.asmx.cs:line 88\n   --- End of inner exception stack trace ---',
);

/** Replies in turn to the login and then to each later call; records the SOAP actions. */
function serverReplying(...replies: Array<[number, string, Record<string, string>?]>): string[] {
  const actions: string[] = [];
  nock(BASE)
    .persist()
    .post('/srv.asmx')
    .reply(function () {
      const action = String(this.req.headers['soapaction']).replace(/"|http:\/\/tempuri\.org\//g, '');
      actions.push(action);
      if (action === 'AuthenticateUser') return [200, LOGIN_REPLY, { 'Content-Type': 'text/xml' }];
      if (action === 'LogOut') return [200, envelope('LogOut', '<root xmlns="" success="true"/>'), { 'Content-Type': 'text/xml' }];
      const [status, body, headers] = replies.shift() ?? [200, FOUND];
      return [status, body, { 'Content-Type': 'text/xml; charset=utf-8', ...headers }];
    });
  return actions;
}

async function lookUp(warnings: SessionWarning[] = []): Promise<unknown> {
  const session = await SrvSession.login({ url: URL, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => warnings.push(w) });
  try {
    return await session.exists('/Public/a.txt');
  } finally {
    await session.close();
  }
}

describe('classic ASMX faults', () => {
  test('a soap:Server fault with HTTP 500 is retried on a call that may be repeated, and each retry is announced', async () => {
    const actions = serverReplying([500, SERVER_FAULT], [500, SERVER_FAULT]);
    const warnings: SessionWarning[] = [];
    await expect(lookUp(warnings)).resolves.toEqual({ crc32LastVersion: '352441c2', crc32Published: undefined });
    expect(actions.filter((a) => a === 'DocumentExists')).toHaveLength(3);
    expect(warnings.map((w) => w.retry)).toEqual([{ number: 1, of: 5 }, { number: 2, of: 5 }]);
  });

  test('the fault keeps its whole text, but the message shows its first line, not the stack trace', async () => {
    serverReplying(...Array.from({ length: 6 }, () => [500, SERVER_FAULT] as [number, string]));
    const error = (await lookUp().catch((e: unknown) => e)) as SoapFaultError;
    expect(error).toBeInstanceOf(SoapFaultError);
    expect(error).toMatchObject({ side: 'server', httpStatus: 500, faultCode: 'soap:Server' });
    expect(error.faultString).toContain('Srv.asmx.cs:line 88');
    expect(error.message).toBe('DocumentExists: SOAP fault soap:Server: System.Web.Services.Protocols.SoapException: Server was unable to process request. ---> System.Data.SqlClient.SqlException: Timeout expired. (…)');
  });

  test.each([
    ['soap:Client', 'Server was unable to read request.'],
    ['soap:Sender', 'The message is not valid SOAP 1.2.'],
    ['soap:VersionMismatch', 'Possible SOAP version mismatch.'],
  ])('a %s fault is the request\'s own: never retried', async (code, text) => {
    const actions = serverReplying([500, classicFault(code, text)]);
    const error = await lookUp().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SoapFaultError', side: 'sender' });
    expect(actions.filter((a) => a === 'DocumentExists')).toHaveLength(1);
  });

  test('SOAP 1.2: soap:Receiver is a server fault', async () => {
    const receiver = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">Server was unable to process request.</soap:Text></soap:Reason></soap:Fault></soap:Body></soap:Envelope>`;
    nock(BASE).post('/srv.asmx').reply(500, receiver, { 'Content-Type': 'application/soap+xml' });
    const session = await SrvSession.fromTicket({ url: URL, ticket: TICKET, soapVersion: '1.2', retry: { retries: 0 } });
    const error = await session.exists('/Public/a.txt').catch((e: unknown) => e);
    session.client.close();
    expect(error).toMatchObject({ name: 'SoapFaultError', side: 'server' });
  });
});

describe('HTTP failures fail at once, saying what to check', () => {
  test.each([
    ['a 404', 404, '<html><body><h1>404 - File or directory not found.</h1></body></html>', 'text/html', /no service at this URL; check the URL/],
    ['a web page with HTTP 200', 200, '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Welcome</body></html>', 'text/html; charset=utf-8', /is a web page, not a SOAP reply; check the URL/],
  ])('%s is an EndpointError, not retried', async (_what, status, body, contentType, message) => {
    const actions = serverReplying([status, body, { 'Content-Type': contentType }]);
    const error = await lookUp().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointError);
    expect(error).toMatchObject({ mayHaveReachedServer: false, httpStatus: status, message: expect.stringMatching(message) });
    expect(actions.filter((a) => a === 'DocumentExists')).toHaveLength(1);
  });

  test('an HTML 502 from a gateway is still retried', async () => {
    const actions = serverReplying([502, '<html><body>502 Bad Gateway</body></html>', { 'Content-Type': 'text/html' }]);
    await expect(lookUp()).resolves.toBeDefined();
    expect(actions.filter((a) => a === 'DocumentExists')).toHaveLength(2);
  });

  test('IIS 404.13 says the request was too large', async () => {
    serverReplying([404, '<html><body><h3>HTTP Error 404.13 - Not Found</h3><p>The request filtering module is configured to deny a request that exceeds the request content length.</p></body></html>', { 'Content-Type': 'text/html' }]);
    await expect(lookUp()).rejects.toMatchObject({ name: 'RequestTooLargeError', mayHaveReachedServer: false, httpStatus: 404 });
  });

  test('a 401 names the schemes of WWW-Authenticate, and logging in is not retried', async () => {
    let calls = 0;
    nock(BASE)
      .persist()
      .post('/srv.asmx')
      .reply(() => {
        calls += 1;
        return [401, '<html><body>401 - Unauthorized: Access is denied due to invalid credentials.</body></html>', { 'Content-Type': 'text/html', 'WWW-Authenticate': ['Negotiate', 'NTLM'] }];
      });
    const error = await SrvSession.login({ url: URL, user: 'demo', password: 'demo', retry: FAST_RETRY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAuthenticationError);
    expect(error).toMatchObject({ schemes: ['Negotiate', 'NTLM'], httpStatus: 401, operation: 'AuthenticateUser' });
    expect((error as Error).message).toMatch(/asks for HTTP authentication \(Negotiate, NTLM\)/);
    expect(calls).toBe(1);
  });

  test('a 403 without WWW-Authenticate is an HttpAuthenticationError too', async () => {
    serverReplying([403, 'Forbidden', { 'Content-Type': 'text/plain' }]);
    await expect(lookUp()).rejects.toMatchObject({ name: 'HttpAuthenticationError', schemes: [], httpStatus: 403 });
  });

  test('an unknown host is a HostNotFoundError, not retried', async () => {
    nock.enableNetConnect('no-such-host.invalid');
    const warnings: SessionWarning[] = [];
    const error = await SrvSession.login({ url: 'http://no-such-host.invalid/srv.asmx', user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => warnings.push(w) }).catch((e: unknown) => e);
    nock.disableNetConnect();
    expect(error).toBeInstanceOf(HostNotFoundError);
    expect((error as Error).message).toMatch(/no-such-host\.invalid is unknown .*check the URL/);
    expect(warnings).toEqual([]);
  });

  test('a refused connection is retried, boundedly, and each retry is announced', async () => {
    nock.enableNetConnect('127.0.0.1');
    const warnings: SessionWarning[] = [];
    const error = await SrvSession.login({ url: 'http://127.0.0.1:9/srv.asmx', user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => warnings.push(w) }).catch((e: unknown) => e);
    nock.disableNetConnect();
    expect(error).toMatchObject({ name: 'TransportError', code: 'ECONNREFUSED', mayHaveReachedServer: false });
    expect(warnings.map((w) => w.retry?.number)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('reply limits per operation', () => {
  /** A real server whose login reply carries one huge attribute, streamed without Content-Length. */
  async function hostileServer(attributeBytes: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
    let requests = 0;
    const server = http.createServer((request, response) => {
      requests += 1;
      request.resume();
      response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
      response.write(`<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><AuthenticateUserResponse xmlns="http://tempuri.org/"><AuthenticateUserResult><root success="true" ticket="${TICKET}" username="`);
      const piece = Buffer.alloc(1_048_576, 'a');
      let left = attributeBytes;
      const pump = (): void => {
        while (left > 0) {
          left -= piece.length;
          if (!response.write(piece)) return void response.once('drain', pump);
        }
        response.end('"/></AuthenticateUserResult></AuthenticateUserResponse></soap:Body></soap:Envelope>');
      };
      response.on('error', () => undefined);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`,
      requests: () => requests,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
    };
  }

  test('a login reply with a 60 MB attribute is refused past 1 MiB, unparsed and not retried', async () => {
    nock.enableNetConnect('127.0.0.1');
    const server = await hostileServer(60 * 1_048_576);
    const error = await SrvSession.login({ url: server.url, user: 'demo', password: 'demo', retry: FAST_RETRY }).catch((e: unknown) => e);
    await server.close();
    nock.disableNetConnect();
    expect(error).toBeInstanceOf(ReplyTooLargeError);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toMatch(/past the 1048576 bytes/);
    expect(server.requests()).toBe(1);
  });

  test('a declared Content-Length past the limit is refused before a byte of the body is read', async () => {
    nock(BASE).post('/srv.asmx').reply(200, 'x'.repeat(2_000_000), { 'Content-Type': 'text/xml', 'Content-Length': '2000000' });
    const session = await SrvSession.fromTicket({ url: URL, ticket: TICKET, retry: FAST_RETRY });
    const error = await session.exists('/Public/a.txt').catch((e: unknown) => e);
    session.client.close();
    expect(error).toBeInstanceOf(ReplyTooLargeError);
    expect((error as Error).message).toMatch(/declares 2000000 bytes/);
  });

  test('a download chunk may be as large as its base64 needs', async () => {
    const bytes = Buffer.alloc(2_000_000, 7);
    nock(BASE)
      .post('/srv.asmx')
      .reply(200, envelope('DownloadFileChunk', `<response xmlns="" success="true" chunklength="${bytes.length}">${bytes.toString('base64')}</response>`), { 'Content-Type': 'text/xml' });
    const session = await SrvSession.fromTicket({ url: URL, ticket: TICKET, retry: FAST_RETRY });
    const chunk = await session.call('DownloadFileChunk', { DownloadHandler: TICKET, StartOffset: 0, ChunkSize: bytes.length });
    session.client.close();
    expect(chunk.content.equals(bytes)).toBe(true);
  });
});
