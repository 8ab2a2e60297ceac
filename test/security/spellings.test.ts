// A server that echoes secrets in other spellings: a ticket upper-cased or without its dashes in an
// error text, a fault string and response headers, a password written with character references.
// None of it reaches plain, --json or --verbose output, errors or exchange records.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { redact, redactHeaders } from '../../src/soap/redaction.js';
import { SrvSession, type ExchangeRecord } from '../../src/index.js';
import { runCli } from '../helpers/run-cli.js';

const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const PASSWORD = 'line1\nline2\tend';

/** Every spelling of a secret a test looks for, normalized: lower case, no dashes, references decoded. */
function normalized(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .toLowerCase()
    .replace(/-/g, '');
}

function leaks(text: string): string[] {
  const plain = normalized(text);
  return [
    ...(plain.includes(TICKET.replace(/-/g, '')) ? ['ticket'] : []),
    ...(plain.includes(PASSWORD.toLowerCase()) ? ['password'] : []),
  ];
}

describe('redact()', () => {
  test.each([
    ['upper case', TICKET.toUpperCase()],
    ['without dashes', TICKET.replace(/-/g, '')],
    ['in braces', `{${TICKET}}`],
    ['as hex character references', [...TICKET].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')],
    ['as decimal references with zeros', [...TICKET].map((c) => `&#00${c.charCodeAt(0)};`).join('')],
    ['percent-encoded', [...TICKET].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('')],
  ])('finds a ticket %s', (_how, spelling) => {
    expect(redact(`error="[901] ticket ${spelling} is unknown"`, [TICKET])).toBe('error="[901] ticket [redacted] is unknown"');
  });

  test.each([
    ['raw', PASSWORD],
    ['with character references', 'line1&#xA;line2&#x9;end'],
    ['with decimal references', 'line1&#10;line2&#9;end'],
    ['URL-encoded', encodeURIComponent(PASSWORD)],
  ])('finds a password %s', (_how, spelling) => {
    expect(redact(`Authentication failed for ${spelling}.`, [PASSWORD])).toBe('Authentication failed for [redacted].');
  });

  test('headers: secret ones whole, every other one without secrets or ticket query parameters', () => {
    const headers = { 'x-debug-ticket': 'anything', location: `/login?ticket=${TICKET.toUpperCase()}&next=%2F`, 'set-cookie': ['ticket=x'], 'content-type': 'text/xml', 'x-echo': TICKET.replace(/-/g, '') };
    expect(redactHeaders(headers, [TICKET])).toEqual({ 'x-debug-ticket': '[redacted]', location: '/login?ticket=[redacted]&next=%2F', 'set-cookie': '[redacted]', 'content-type': 'text/xml', 'x-echo': '[redacted]' });
  });
});

describe('against a server that echoes them', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (data: Buffer) => (body += data.toString()));
      request.on('end', () => {
        const action = String(request.headers['soapaction']).replace(/"|http:\/\/tempuri\.org\//g, '');
        const headers = { 'Content-Type': 'text/xml; charset=utf-8', 'X-Debug-Ticket': TICKET, Location: `http://srv.test/?ticket=${TICKET}` };
        const wrap = (inner: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${action}Response xmlns="http://tempuri.org/"><${action}Result>${inner}</${action}Result></${action}Response></soap:Body></soap:Envelope>`;
        if (action === 'AuthenticateUser') {
          response.writeHead(200, headers);
          return void response.end(wrap(`<root xmlns="" success="true" ticket="${TICKET}" fullname="echo line1&#xA;line2&#x9;end"/>`));
        }
        if (action === 'DocumentExists') {
          response.writeHead(500, headers);
          return void response.end(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Ticket ${TICKET.toUpperCase().replace(/-/g, '')} refused (password line1&#10;line2&#9;end)</faultstring></soap:Fault></soap:Body></soap:Envelope>`);
        }
        response.writeHead(200, headers);
        response.end(wrap(`<root xmlns="" success="false" error="[901] ${TICKET.toUpperCase()} is not ${TICKET.replace(/-/g, '')}"/>`));
        void body;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the library: errors and exchange records', async () => {
    const records: ExchangeRecord[] = [];
    const session = await SrvSession.login({ url, user: 'u', password: PASSWORD, retry: { retries: 0 }, onExchange: (r) => void records.push(r) });
    const lookup = await session.exists('/Public/a.txt').catch((e: unknown) => e);
    const check = await session.folderExists('/Public').catch((e: unknown) => e);
    session.client.close();
    for (const error of [lookup, check]) expect(leaks(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`)).toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records[0]?.response?.headers).toMatchObject({ 'x-debug-ticket': '[redacted]', location: 'http://srv.test/?ticket=[redacted]' });
    expect(leaks(JSON.stringify(records))).toEqual([]);
  });

  test.each([[[]], [['--json']], [['--verbose']], [['--verbose', '--json']]])('the command line %j', async (flags) => {
    const run = await runCli(['exists', '/Public/a.txt', ...flags], { env: { SRV_ASMX_URL: url, SRV_ASMX_USER: 'u', SRV_ASMX_PASSWORD: PASSWORD } });
    expect(run.code).toBe(1);
    expect(leaks(run.stdout + run.stderr)).toEqual([]);
    if (flags.includes('--verbose')) expect(run.stderr).toMatch(/← HTTP 500/);
  });
});
