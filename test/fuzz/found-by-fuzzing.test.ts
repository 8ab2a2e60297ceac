// The emulator bugs the fuzz tests found, each pinned by its smallest counterexample.
import http from 'node:http';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { envelope11, httpGet, login, resultOf, stage, TEMPURI } from '../emulator/helpers.js';
import { rawRequest } from './wire.js';

let emulator: RunningEmulator;
const logged: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ log: (line) => void logged.push(line) });
});
afterAll(() => emulator.close());

/** POSTs SOAP 1.1 bodies one after another over a single keep-alive connection. */
async function overOneConnection(bodies: readonly string[]): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const headers = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${TEMPURI}ServerInfo"`, 'Content-Length': Buffer.byteLength(body) };
      const request = http.request(emulator.url, { method: 'POST', agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end(body);
    });
  try {
    const statuses: number[] = [];
    for (const body of bodies) statuses.push(await post(body));
    return statuses;
  } finally {
    agent.destroy();
  }
}

test('a ticket cookie with a malformed %-escape is an invalid ticket, not HTTP 500 "URI malformed"', async () => {
  const response = await fetch(`${emulator.url}/isValidTicket`, { headers: { Cookie: 'ticket=%zz' } });
  expect(response.status).toBe(200);
  expect(resultOf(await response.text()).attrs).toMatchObject({ success: 'false', error: '[901] Session expired or Invalid ticket' });
});

test('an unparsable absolute request target gets 400, and an emulator that logs requests survives it', async () => {
  const { port } = new URL(emulator.url);
  const reply = await rawRequest(emulator.url, `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  expect(reply).toMatch(/^HTTP\/1\.1 400 /);
  expect(logged.at(-1)).toMatch(/^GET \(invalid target\) 400 /);
  expect(await login(emulator.url)).toMatch(/^[0-9a-f-]{36}$/);
});

test('a multipart body without a boundary gets 400, not 500', async () => {
  const response = await fetch(`${emulator.url}/ServerInfo`, { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=' }, body: '--x\r\nha' });
  expect([response.status, await response.text()]).toEqual([400, expect.stringMatching(/^Invalid multipart\/form-data body: /)]);
});

test('the connection stays usable after a fault answered before a large malformed body was read', async () => {
  const malformed = `<wrong/>${' '.repeat(1_000_000)}`;
  expect(await overOneConnection([malformed, envelope11('ServerInfo', []), malformed, envelope11('ServerInfo', [])])).toEqual([500, 200, 500, 200]);
});

// A leading space is no longer among them: names are stored as given, and the path API reaches " leading.txt"
// (test/emulator/names.test.ts).
test.each(['a\u0000b.txt', 'tab\t.txt', 'line\nbreak.txt'])('the new document name %j is refused: the path API could never reach it', async (name) => {
  const ticket = await login(emulator.url);
  const handler = await stage(emulator.url, ticket, Buffer.from('x'));
  const reply = await httpGet(emulator.url, 'UploadNewDocumentWidthHandler', [['authenticationTicket', ticket], ['folderPath', '/Public'], ['documentName', name], ['uploadHandler', handler], ['xmlParameters', '']]);
  expect(resultOf(reply.body).attrs).toEqual({ success: 'false', error: 'Invalid document name.' });
  expect(emulator.state().documents).toEqual([]);
});
