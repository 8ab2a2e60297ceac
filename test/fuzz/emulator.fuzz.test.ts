// The emulator under hostile input, over real HTTP, with fast-check (fixed seed, bounded runs):
// malformed envelopes, bodies over the limit, traversal in paths, names and handler GUIDs over SOAP
// and forms, odd cookies and request targets, slow-loris requests. Each gets a fault or an error,
// and afterwards the emulator still serves a normal client and has written nothing outside its data
// directory. FUZZ_SEED varies the run.
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { login, stage, type ParamList } from '../emulator/helpers.js';
import { expectConfined, expectReachable, expectServing, unsafePaths } from './health.js';
import { ENVELOPE_NS, hostileCookie, hostileFolder, hostileHandler, hostileName, hostilePath, hostileTarget, malformedBody, OPERATIONS, type SoapVersion } from './hostile-input.js';
import { answered, call, postSoapBytes, PROTOCOLS, rawRequest, slowLoris } from './wire.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 424_242);
const runs = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });
const SENTINEL = 'secret.txt';
const LIMIT = 4096;
const READ_TIMEOUT_MS = 300;

interface Sandbox {
  readonly root: string;
  readonly dataDir: string;
  readonly emulator: RunningEmulator;
}

async function sandbox(options: { maxBodyBytes?: number; readTimeoutMs?: number; log?: (line: string) => void }): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'srv-fuzz-'));
  await writeFile(join(root, SENTINEL), 'outside the data directory');
  const dataDir = join(root, 'data');
  return { root, dataDir, emulator: await startEmulator({ ...options, dataDir }) };
}

async function expectHealthy({ root, dataDir, emulator }: Sandbox): Promise<void> {
  await expectServing(emulator);
  await expectConfined(root, dataDir, SENTINEL);
  await expectReachable(emulator);
}

let main: Sandbox;
let limited: Sandbox;
let ticket: string;

beforeAll(async () => {
  // The main emulator logs, so its request log meets every hostile request too.
  main = await sandbox({ maxBodyBytes: 1_048_576, log: () => undefined });
  limited = await sandbox({ maxBodyBytes: LIMIT, readTimeoutMs: READ_TIMEOUT_MS });
  ticket = await login(main.emulator.url);
});
afterAll(async () => {
  for (const { emulator, root } of [main, limited]) {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  }
});

describe.each(['1.1', '1.2'] as const)('malformed SOAP %s envelopes', (version: SoapVersion) => {
  test('get a SOAP fault (or a result), never a crash, an entity expansion or a file read', async () => {
    const cases = fc.constantFrom(...OPERATIONS.map(([op]) => op)).chain((op) => fc.tuple(fc.constant(op), malformedBody(version, op)));
    await fc.assert(
      fc.asyncProperty(cases, async ([op, body]) => {
        const reply = await postSoapBytes(main.emulator.url, version, op, body);
        expect([200, 500]).toContain(reply.status);
        if (reply.status === 500) expect(reply.body).toContain(`xmlns:soap="${ENVELOPE_NS[version]}"`);
        expect(reply.body).not.toMatch(/root:.*:0:0:|lollollol/);
      }),
      runs(150),
    );
    await expectHealthy(main);
  });
});

test('bodies over the limit get HTTP 413, whether declared or streamed, over SOAP and forms', async () => {
  const { port } = new URL(limited.emulator.url);
  const target = fc.constantFrom(
    { path: '/srv.asmx', type: 'text/xml; charset=utf-8\r\nSOAPAction: "http://tempuri.org/ServerInfo"' },
    { path: '/srv.asmx', type: 'application/soap+xml; charset=utf-8; action="http://tempuri.org/ServerInfo"' },
    { path: '/srv.asmx/DocumentExists', type: 'application/x-www-form-urlencoded' },
    { path: '/srv.asmx/DocumentExists', type: 'multipart/form-data; boundary=b' },
  );
  await fc.assert(
    fc.asyncProperty(target, fc.integer({ min: LIMIT + 1, max: 4 * LIMIT }), fc.boolean(), async ({ path, type }, size, chunked) => {
      const body = 'x'.repeat(size);
      const framing = chunked ? `Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` : `Content-Length: ${size}\r\n\r\n${body}`;
      const reply = await rawRequest(limited.emulator.url, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${type}\r\n${framing}`);
      expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    }),
    runs(60),
  );
  await expectHealthy(limited);
});

/** The operations that take a document or folder path, with the parameters the path goes into. */
const PATH_CALLS: ReadonlyArray<readonly [string, (path: string, folder: string, name: string) => ParamList, boolean]> = [
  ['DocumentExists', (path) => [['Path', path]], false],
  ['FolderExists', (path) => [['Path', path]], false],
  ['GetDownloadHandler', (path) => [['Path', path], ['PreferedChunkSize', '0']], false],
  ['CreateFolder', (path) => [['Path', path]], false],
  ['DocumentExists1', (_path, folder, name) => [['FolderPath', folder], ['DocumentName', name]], false],
  ['UploadDocumentWithHandler', (path) => [['path', path]], true],
  ['UploadDocumentWithHandler1', (path) => [['path', path], ['versionComments', 'fuzz']], true],
  ['UploadNewDocumentWidthHandler', (_path, folder, name) => [['folderPath', folder], ['documentName', name], ['xmlParameters', '']], true],
];

test('traversal, absolute paths, NUL and Windows separators in paths and names never reach a file', async () => {
  const url = main.emulator.url;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...PATH_CALLS), fc.constantFrom(...PROTOCOLS), hostilePath, hostileFolder, hostileName, async ([op, params, staged], protocol, path, folder, name) => {
      const handler = staged ? [['uploadHandler', await stage(url, ticket, Buffer.from('fuzz'))] as const] : [];
      const ticketParam = op === 'GetDownloadHandler' ? 'AuthenticationTicket' : 'authenticationTicket';
      answered(protocol, await call(protocol, url, op, [[ticketParam, ticket], ...params(path, folder, name), ...handler]));
      expect(unsafePaths(main.emulator)).toEqual([]);
    }),
    runs(300),
  );
  await expectHealthy(main);
});

const HANDLER_CALLS: ReadonlyArray<readonly [string, string, ParamList]> = [
  ['UploadFileChunk', 'uploadHandler', [['fileChunk', 'eA=='], ['chunkHEXCRC', '8CDC1683'], ['lastChunk', 'true']]],
  ['DeleteUploadHandler', 'UploadHandler', []],
  ['DownloadFileChunk', 'DownloadHandler', [['StartOffset', '0'], ['ChunkSize', '10']]],
  ['DeleteDownloadHandler', 'DownloadHandler', []],
  ['UploadDocumentWithHandler', 'uploadHandler', [['path', '/Public/fuzz-handler.txt']]],
];

/** What the service takes for a GUID; a handler that is gone is deleted successfully. */
const GUID = /^\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s*$/i;

test('handler GUIDs with traversal, absolute paths, NUL or Windows separators are refused', async () => {
  const url = main.emulator.url;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...HANDLER_CALLS), fc.constantFrom(...PROTOCOLS), hostileHandler, async ([op, param, rest], protocol, handler) => {
      const reply = await call(protocol, url, op, [['authenticationTicket', ticket], [param, handler], ...rest]);
      const success = answered(protocol, reply);
      if (!GUID.test(handler)) expect(success).not.toBe('true');
    }),
    runs(200),
  );
  await expectHealthy(main);
});

test('a malformed ticket cookie is an invalid ticket, not a server error', async () => {
  const url = main.emulator.url;
  await fc.assert(
    fc.asyncProperty(hostileCookie, fc.constantFrom('soap11', 'get'), async (cookie, protocol) => {
      const headers = { Cookie: cookie, 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://tempuri.org/isValidTicket"' };
      const body = `<s:Envelope xmlns:s="${ENVELOPE_NS['1.1']}"><s:Body><isValidTicket xmlns="http://tempuri.org/"/></s:Body></s:Envelope>`;
      const response = protocol === 'get' ? await fetch(`${url}/isValidTicket`, { headers: { Cookie: cookie } }) : await fetch(url, { method: 'POST', headers, body });
      expect([response.status, await response.text()]).toEqual([200, expect.stringContaining('success="false"')]);
    }),
    runs(60),
  );
  await expectHealthy(main);
});

test('odd request targets get an HTTP answer, never a 5xx, and never bring the emulator down', async () => {
  const { port } = new URL(main.emulator.url);
  await fc.assert(
    fc.asyncProperty(hostileTarget, fc.constantFrom('GET', 'POST'), async (target, method) => {
      const reply = await rawRequest(main.emulator.url, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(reply).toMatch(/^HTTP\/1\.1 [2-4]\d\d /);
    }),
    runs(100),
  );
  await expectHealthy(main);
});

test('malformed form bodies get a 4xx, never a server error', async () => {
  const url = main.emulator.url;
  const contentType = fc.oneof(
    fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=bogus'),
    fc.stringMatching(/^[a-z]{1,8}\/[a-z-]{1,12}$/),
  );
  const body = fc.oneof(fc.uint8Array({ maxLength: 2_000 }), fc.string({ maxLength: 200 }).map((text) => new Uint8Array(Buffer.from(`--x\r\n${text}`))));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...OPERATIONS.map(([op]) => op)), contentType, body, async (op, type, bytes) => {
      const response = await fetch(`${url}/${op}`, { method: 'POST', headers: { 'Content-Type': type }, body: bytes });
      await response.arrayBuffer();
      expect([200, 400, 415]).toContain(response.status);
    }),
    runs(150),
  );
  await expectHealthy(main);
});

test('slow-loris headers and bodies are cut off at the read timeout while others are served', async () => {
  const { port } = new URL(limited.emulator.url);
  const head = {
    headers: `POST /srv.asmx HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `,
    body: `POST /srv.asmx HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/xml\r\nSOAPAction: "http://tempuri.org/ServerInfo"\r\nContent-Length: 1000\r\n\r\n<s:Env`,
  };
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('headers', 'body') as fc.Arbitrary<keyof typeof head>, fc.integer({ min: 1, max: 8 }), async (phase, connections) => {
      const lorises = Array.from({ length: connections }, () => slowLoris(limited.emulator.url, head[phase], 'a'));
      await expectServing(limited.emulator);
      for (const outcome of await Promise.all(lorises)) {
        expect(outcome.closedByServer).toBe(true);
        expect(outcome.reply).toMatch(/^$|^HTTP\/1\.1 408 /);
      }
    }),
    runs(6),
  );
  await expectHealthy(limited);
});
