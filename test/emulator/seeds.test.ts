/**
 * The two seed documents' GET, POST and SOAP examples, sent as printed (only the scrape's lost blank lines restored).
 * test/fixtures/seeds/ holds byte-for-byte copies of ../shared/seeds/, so a clean checkout can run this.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createUploadHandler, crcHex, login, postSoap11, rawExchange, resultOf, stage, soap } from './helpers.js';

const seedsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'seeds');
const deleteSeed = readFileSync(join(seedsDir, '000_47f4c5e422955c83.txt'), 'utf8');
const chunkSeed = readFileSync(join(seedsDir, '004_d55b6c0844c9959e.txt'), 'utf8');

function extract(text: string, pattern: RegExp): RegExpExecArray {
  const match = pattern.exec(text);
  if (match === null) throw new Error(`seed example not found: ${pattern}`);
  return match;
}

const SEED_TICKET = extract(deleteSeed, /authenticationTicket=([0-9a-f-]{36})/)[1] ?? '';
const SEED_HANDLER = extract(deleteSeed, /UploadHandler=([0-9a-f-]{36})/)[1] ?? '';

/** `GET /srv.asmx/DeleteUploadHandler` + `?authenticationTicket=…` + `&UploadHandler=…`, printed on three lines. */
const seedGetTarget = (): string => {
  const [, path, query, handler] = extract(deleteSeed, /GET (\/srv\.asmx\/DeleteUploadHandler)\n(\?authenticationTicket=\S+)\n(&UploadHandler=\S+)\nHTTP\/1\.1/);
  return `${path}${query}${handler}`;
};

const seedPostBody = (): string => {
  const [, first, second] = extract(deleteSeed, /Content-Type: application\/x-www-form-urlencoded\n(authenticationTicket=\S+)\n(&UploadHandler=\S+)/);
  return `${first}${second}`;
};

const seedSoapEnvelope = (): string => extract(deleteSeed, /<soap:Envelope[\s\S]*?<\/soap:Envelope>/)[0];

/** The UploadFileChunk multipart example, with the blank line after each part's headers that the scrape dropped. */
function seedMultipart(): { boundary: string; body: (fields: Record<string, string>) => Buffer } {
  const block = extract(chunkSeed, /POST \/srv\.asmx\/UploadFileChunk HTTP\/1\.1\nContent-Type: multipart\/form-data; boundary=(\S+)\n([\s\S]*?\n--\1--)/);
  const boundary = block[1] ?? '';
  const parts = (block[2] ?? '').split(`--${boundary}`).slice(1, -1);
  const body = (fields: Record<string, string>): Buffer => {
    const encoded = parts.map((part) => {
      const lines = part.split('\n').filter((line) => line !== '');
      const headerCount = lines.findIndex((line) => !/^Content-(Disposition|Type):/.test(line));
      const name = /name="([^"]+)"/.exec(lines[0] ?? '')?.[1] ?? '';
      const value = fields[name] ?? lines.slice(headerCount).join('\n');
      return `--${boundary}\r\n${lines.slice(0, headerCount).join('\r\n')}\r\n\r\n${value}\r\n`;
    });
    return Buffer.from(`${encoded.join('')}--${boundary}--\r\n`);
  };
  return { boundary, body };
}

let emulator: RunningEmulator;
let port: string;

beforeAll(async () => {
  emulator = await startEmulator({ fileHexCrc: false });
  port = new URL(emulator.url).port;
});
afterAll(() => emulator.close());

const hostHeader = () => `127.0.0.1:${port}`;

describe('DeleteUploadHandler seed', () => {
  it('GET example verbatim: the seed ticket is not live, so [901]', async () => {
    const response = await fetch(`http://${hostHeader()}${seedGetTarget()}`);
    expect(response.status).toBe(200);
    expect(resultOf(await response.text()).xml).toBe('<response success="false" error="[901] Session expired or Invalid ticket" />');
  });

  it('GET example with a live ticket: a handler that does not exist is still a success', async () => {
    const ticket = await login(emulator.url);
    const response = await fetch(`http://${hostHeader()}${seedGetTarget().replace(SEED_TICKET, ticket)}`);
    expect(resultOf(await response.text()).xml).toBe('<response success="true" error="" />');
  });

  it('POST example verbatim (raw HTTP), then with a live ticket', async () => {
    const send = (body: string) =>
      rawExchange(
        emulator.url,
        `POST /srv.asmx/DeleteUploadHandler HTTP/1.1\r\nHost: ${hostHeader()}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    const verbatim = await send(seedPostBody());
    expect(verbatim).toMatch(/^HTTP\/1\.1 200/);
    expect(resultOf(verbatim).attrs.error).toBe('[901] Session expired or Invalid ticket');
    const ticket = await login(emulator.url);
    expect(resultOf(await send(seedPostBody().replace(SEED_TICKET, ticket))).attrs).toEqual({ success: 'true', error: '' });
  });

  it('SOAP example verbatim (tns-prefixed), then with a live ticket', async () => {
    const verbatim = await postSoap11(emulator.url, 'http://tempuri.org/DeleteUploadHandler', seedSoapEnvelope());
    expect(verbatim.status).toBe(200);
    expect(resultOf(verbatim.body).attrs.error).toBe('[901] Session expired or Invalid ticket');
    const ticket = await login(emulator.url);
    const live = await postSoap11(emulator.url, 'http://tempuri.org/DeleteUploadHandler', seedSoapEnvelope().replace(SEED_TICKET, ticket));
    expect(resultOf(live.body).attrs).toEqual({ success: 'true', error: '' });
  });

  it('a non-GUID handler gets "bad Request" without any authentication check', async () => {
    const body = seedSoapEnvelope().replace(SEED_HANDLER, 'not-a-guid');
    const response = await postSoap11(emulator.url, 'http://tempuri.org/DeleteUploadHandler', body);
    expect(resultOf(response.body).attrs).toEqual({ success: 'false', error: 'bad Request' });
  });

  it('discards the handler and its staged file', async () => {
    const ticket = await login(emulator.url);
    const handler = await createUploadHandler(emulator.url, ticket);
    expect(emulator.state().uploadHandlers.map((h) => h.id)).toContain(handler);
    const body = seedSoapEnvelope().replace(SEED_TICKET, ticket).replace(SEED_HANDLER, handler);
    expect(resultOf((await postSoap11(emulator.url, 'http://tempuri.org/DeleteUploadHandler', body)).body).attrs.success).toBe('true');
    expect(emulator.state().uploadHandlers.map((h) => h.id)).not.toContain(handler);
  });

  it('after a successful finalize the handler is consumed; deleting it anyway is still a success', async () => {
    const ticket = await login(emulator.url);
    const handler = await stage(emulator.url, ticket, Buffer.from('consumed'));
    await soap(emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/seed-consumed.txt'], ['uploadHandler', handler]]);
    expect(emulator.state().uploadHandlers).toEqual([]);
    const { result } = await soap(emulator.url, 'DeleteUploadHandler', [['authenticationTicket', ticket], ['UploadHandler', handler]]);
    expect(result.attrs).toEqual({ success: 'true', error: '' });
  });
});

describe('UploadFileChunk seed', () => {
  const { boundary, body } = seedMultipart();
  const post = (fields: Record<string, string>) =>
    fetch(`${emulator.url}/UploadFileChunk`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: new Uint8Array(body(fields)),
    }).then((response) => response.text());
  const placeholder = Buffer.from('[binary chunk bytes]');

  it('the multipart example as printed: dead ticket, [901]', async () => {
    expect(resultOf(await post({})).attrs).toEqual({ success: 'false', error: '[901] Session expired or Invalid ticket' });
  });

  it('with a live handler: the seed CRC does not match the bytes, so tryagain="true" and nothing is appended', async () => {
    const ticket = await login(emulator.url);
    const handler = await createUploadHandler(emulator.url, ticket);
    const reply = await post({ authenticationTicket: ticket, uploadHandler: handler });
    expect(resultOf(reply).xml).toBe('<root success="true" tryagain="true" />');
    expect(emulator.state().uploadHandlers.find((h) => h.id === handler)?.bytes).toBe(0);
  });

  it('with the right CRC and lastChunk=true the raw part is appended: success="true" tryagain="false"', async () => {
    const ticket = await login(emulator.url);
    const handler = await createUploadHandler(emulator.url, ticket);
    const reply = await post({ authenticationTicket: ticket, uploadHandler: handler, chunkHEXCRC: crcHex(placeholder), lastChunk: 'true' });
    expect(resultOf(reply).xml).toBe('<root success="true" tryagain="false" />');
    expect(emulator.state().uploadHandlers.find((h) => h.id === handler)).toMatchObject({ bytes: placeholder.length, complete: true });
  });

  it('an unknown handler GUID is not appended to; a non-GUID is "Invalid upload handler."', async () => {
    const ticket = await login(emulator.url);
    expect(resultOf(await post({ authenticationTicket: ticket })).attrs).toEqual({ success: 'false', error: 'Upload handler not found or expired.' });
    expect(resultOf(await post({ authenticationTicket: ticket, uploadHandler: 'xyz' })).xml).toBe('<root success="false" error="Invalid upload handler." />');
  });

  it('the GET form of the seed carries fileChunk as base64 in the query string', async () => {
    const ticket = await login(emulator.url);
    const handler = await createUploadHandler(emulator.url, ticket);
    const query = new URLSearchParams({
      authenticationTicket: ticket,
      uploadHandler: handler,
      fileChunk: placeholder.toString('base64'),
      chunkHEXCRC: crcHex(placeholder),
      lastChunk: 'true',
    });
    const reply = await fetch(`${emulator.url}/UploadFileChunk?${query.toString()}`).then((response) => response.text());
    expect(resultOf(reply).attrs).toEqual({ success: 'true', tryagain: 'false' });
  });
});
