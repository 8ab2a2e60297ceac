// Issue 11, case 21 (emulator parts): a chunked body (Transfer-Encoding: chunked, no Content-Length)
// that grows past the limit is refused like a declared one, with HTTP 413 in the documented and
// minimal profiles (classic-asmx resets the connection instead: test/emulator/profiles.test.ts); and
// a document name is stored exactly as given.
import { startEmulator } from '../../src/emulator/index.js';
import type { ProfileName, RunningEmulator } from '../../src/emulator/index.js';
import { envelope11, postForm, rawExchange, soap, TEMPURI } from './helpers.js';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const chunked = (pieces: readonly string[]): string => `${pieces.map((piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`).join('')}0\r\n\r\n`;
const SIX_KB = (piece: string): string[] => Array.from({ length: 6 }, () => piece.repeat(1000));
const SOAP_PIECES = [envelope11('ServerInfo', []).replace(/<\/ServerInfo>.*/, ''), ...SIX_KB(' ')];
const FORM_PIECES = ['x=', ...SIX_KB('y')];
const MULTIPART_PIECES = ['--BB\r\nContent-Disposition: form-data; name="fileChunk"; filename="chunk"\r\nContent-Type: application/octet-stream\r\n\r\n', ...SIX_KB('z')];

/** A POST whose body comes in chunks (Transfer-Encoding: chunked), with no Content-Length; resolves with all the server sent. */
function postChunked(running: RunningEmulator, target: string, contentType: string, extraHeaders: string, pieces: readonly string[]): Promise<string> {
  const { port } = new URL(running.url);
  const head = `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${contentType}\r\n${extraHeaders}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
  return rawExchange(running.url, head + chunked(pieces));
}

describe.each(['documented', 'minimal'] as const satisfies readonly ProfileName[])('%s: a chunked body that grows past maxBodyBytes', (profile) => {
  it.each([
    ['SOAP', '/srv.asmx', 'text/xml; charset=utf-8', `SOAPAction: "${TEMPURI}ServerInfo"\r\n`, SOAP_PIECES, undefined],
    ['SOAP with an unknown SOAPAction', '/srv.asmx', 'text/xml; charset=utf-8', `SOAPAction: "${TEMPURI}NoSuchOperation"\r\n`, SOAP_PIECES, undefined],
    ['SOAP with an http500 fault', '/srv.asmx', 'text/xml; charset=utf-8', `SOAPAction: "${TEMPURI}ServerInfo"\r\n`, SOAP_PIECES, 'http500'],
    ['a form POST', '/srv.asmx/ServerInfo', 'application/x-www-form-urlencoded', '', FORM_PIECES, undefined],
    ['a multipart POST with a file part', '/srv.asmx/UploadFileChunk', 'multipart/form-data; boundary=BB', '', MULTIPART_PIECES, undefined],
  ] as const)('%s: HTTP 413, and the emulator goes on serving', async (_kind, target, contentType, extraHeaders, pieces, fault) => {
    const running = await startEmulator({ profile, maxBodyBytes: 4096 });
    emulator = running;
    if (fault !== undefined) running.faults.add({ op: 'ServerInfo', kind: fault, at: [1] });
    const reply = await postChunked(running, target, contentType, extraHeaders, pieces);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(reply).toContain('The request body exceeds 4096 bytes.');
    expect((await soap(running.url, 'ServerInfo')).result.attrs.success).toBe('true');
    expect((await postForm(running.url, 'ServerInfo', [])).status).toBe(200);
  });
});

describe('classic-asmx keeps its reset', () => {
  it.each([
    ['a known SOAPAction', 'ServerInfo'],
    ['an unknown SOAPAction', 'NoSuchOperation'],
  ])('%s: a chunked body that grows past maxRequestLength has its connection reset', async (_kind, op) => {
    const running = await startEmulator({ profile: 'classic-asmx', maxRequestLengthKb: 4 });
    emulator = running;
    expect(await postChunked(running, '/srv.asmx', 'text/xml; charset=utf-8', `SOAPAction: "${TEMPURI}${op}"\r\n`, SOAP_PIECES)).toBe('');
    expect((await soap(running.url, 'ServerInfo')).result.attrs.success).toBe('true');
  });
});
