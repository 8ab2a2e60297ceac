// A server that echoes secrets back: a SOAP fault that quotes the ticket it was sent, as an ASMX
// exception message may, and a `ticket` cookie on the login reply (the contract leaves open whether
// the service sets one, C30). The client redacts a ticket echoed in an in-band `error`, in a fault
// string and in a reply header alike.
import nock from '../helpers/nock.js';
import { SrvSession, type ExchangeRecord } from '../../src/index.js';
import { everything, leaksIn } from './leaks.js';

const BASE = 'http://echo.test';
const TICKET = '0badc0de-1111-2222-3333-444455556666';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

const envelope = (body: string): string => `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const LOGIN_REPLY = envelope(
  `<AuthenticateUserResponse xmlns="http://tempuri.org/"><AuthenticateUserResult><root xmlns="" success="true" ticket="${TICKET}" userid="1" username="u" firstName="u" lastName="" fullname="u" email="u@x" expireOn="2030-01-01T00:00:00Z" isAuthenticated="True"/></AuthenticateUserResult></AuthenticateUserResponse>`,
);
const fault = (text: string): string => envelope(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>${text}</faultstring><detail/></soap:Fault>`);
const inBand = (text: string): string =>
  envelope(`<DocumentExistsResponse xmlns="http://tempuri.org/"><DocumentExistsResult><response xmlns="" success="false" error="${text}"/></DocumentExistsResult></DocumentExistsResponse>`);

let records: ExchangeRecord[];
let session: SrvSession;

/** A login, then DocumentExists answered with `reply`; returns everything a caller could see. */
async function exposure(reply: string, status: number): Promise<string> {
  nock(BASE)
    .post('/srv.asmx')
    .reply(200, LOGIN_REPLY, { 'Content-Type': 'text/xml; charset=utf-8', 'Set-Cookie': `ticket=${TICKET}; path=/; HttpOnly` })
    .post('/srv.asmx')
    .reply(status, reply, { 'Content-Type': 'text/xml; charset=utf-8' });
  records = [];
  session = await SrvSession.login({ url: `${BASE}/srv.asmx`, user: 'u', password: 'p', retry: { retries: 0 }, onExchange: (record) => void records.push(record) });
  const error = await session.exists('/Public/x').catch((caught: unknown) => caught);
  return [everything(error), ...records.map(everything)].join('\n');
}

const secrets = [{ label: 'ticket', value: TICKET }];


test('control: a ticket echoed in an in-band error is redacted everywhere', async () => {
  const seen = await exposure(inBand(`Access denied: ticket ${TICKET} may not read this folder.`), 200);
  expect(seen).toMatch(/AccessDeniedError: DocumentExists failed: Access denied: ticket \[redacted\]/);
  expect(leaksIn(seen.replace(/set-cookie[^\]]*\]/g, ''), secrets)).toEqual([]);
});

// Client bug (src/soap/reply.ts failureOf): the fault string goes into SoapFaultError's message, and
// from there into ExchangeRecord.error and the CLI's --json and --verbose output, unredacted.
test('a ticket echoed in a SOAP fault string is redacted from the error and the exchange record', async () => {
  const seen = await exposure(fault(`System.ArgumentException: the ticket ${TICKET} is not valid for this operation.`), 500);
  expect(seen).toMatch(/SoapFaultError/);
  expect(leaksIn(seen.replace(/set-cookie[^\]]*\]/g, ''), secrets)).toEqual([]);
});

// Client bug (src/soap/client.ts exchangeRecord): reply headers are copied into the record as they came.
test('a ticket cookie on the login reply is redacted from the exchange record', async () => {
  await exposure(inBand('Document not found'), 200);
  const login = records.find((record) => record.operation === 'AuthenticateUser');
  expect(login).toBeDefined();
  expect(leaksIn(everything(login), secrets)).toEqual([]);
});
