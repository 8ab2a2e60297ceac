// A login reply whose ticket comes in a form the client reads only with care (a prefixed attribute,
// UTF-16) or not at all (an element of its own): the ticket never shows in an exchange record or a
// warning, and a session the client could read is logged out on close.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SrvSession, type ExchangeRecord, type SessionWarning } from '../../src/index.js';

const TICKET = '6b29fc40-ca47-1067-b31d-00dd010662da';
const TICKET_PATTERN = /6b29fc40|ca47-1067|00dd010662da|6\x00b\x002\x009/i;
const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const envelope = (op: string, inner: string) =>
  `<soap:Envelope xmlns:soap="${SOAP}"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;

let login: { body: Buffer; type: string } = { body: Buffer.alloc(0), type: 'text/xml; charset=utf-8' };
const logouts: string[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (/LogOut/.test(String(request.headers['soapaction']))) {
        logouts.push(/<AuthenticationTicket>([^<]*)</.exec(body)?.[1] ?? '');
        response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
        return response.end(envelope('LogOut', '<root success="true"/>'));
      }
      response.writeHead(200, { 'Content-Type': login.type });
      response.end(login.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

async function attempt(): Promise<{ outcome: unknown; shown: string }> {
  const records: ExchangeRecord[] = [];
  const warnings: SessionWarning[] = [];
  const outcome = await SrvSession.login({ url, user: 'demo', password: 'pw', retry: { retries: 0 }, onExchange: (r) => records.push(r), onWarning: (w) => warnings.push(w) })
    .then(async (session) => {
      await session.close();
      return session;
    })
    .catch((error: unknown) => error);
  const shown = JSON.stringify(records) + JSON.stringify(warnings.map((w) => [w.message, String(w.error)])) + (outcome instanceof Error ? outcome.message : '');
  return { outcome, shown };
}

test.each([
  ['a prefixed attribute', Buffer.from(envelope('AuthenticateUser', `<root xmlns:a="urn:a" success="true" a:ticket="${TICKET}"/>`)), 'text/xml; charset=utf-8'],
  ['UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(envelope('AuthenticateUser', `<root success="true" ticket="${TICKET}"/>`), 'utf16le')]), 'text/xml; charset=utf-16'],
])('a ticket as %s is read, never shown, and logged out on close', async (_what, body, type) => {
  login = { body, type };
  logouts.length = 0;
  const { outcome, shown } = await attempt();
  expect(outcome).toBeInstanceOf(SrvSession);
  expect(logouts).toEqual([TICKET]);
  expect(shown).not.toMatch(TICKET_PATTERN);
});

test('a ticket as an element of its own is read, never shown, and logged out on close', async () => {
  login = { body: Buffer.from(envelope('AuthenticateUser', `<root success="true"><Ticket>${TICKET}</Ticket><userid>7</userid></root>`)), type: 'text/xml' };
  logouts.length = 0;
  const { outcome, shown } = await attempt();
  expect(outcome).toBeInstanceOf(SrvSession);
  expect(logouts).toEqual([TICKET]);
  expect(shown).not.toMatch(TICKET_PATTERN);
});

test('a ticket the client cannot read is never shown either', async () => {
  login = { body: Buffer.from(envelope('AuthenticateUser', `<root success="true"><Ticket><Value>${TICKET}</Value></Ticket></root>`)), type: 'text/xml' };
  const { outcome, shown } = await attempt();
  expect(outcome).toBeInstanceOf(Error);
  expect(shown).not.toMatch(TICKET_PATTERN);
});
