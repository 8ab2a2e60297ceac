// HTTP authentication to a web server in front of the service, and the headers of every request:
// NTLM (and NTLM under Negotiate) with the real three-message handshake on one kept-alive
// connection, checked by a server that verifies the NTLMv2 response; Basic; User-Agent and custom
// headers. Real sessions against the emulator behind that server, the command line end to end, and
// no credential in any record, error or output.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createSrvClient, HttpAuthenticationError, InvalidArgumentError, SrvSession, TransportError, VERSION, type ExchangeRecord, type HttpAuthOptions, type SessionWarning } from '../../src/index.js';
import { NtlmAuthenticator } from '../../src/http/auth.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';
import { ntHash, ntowfV2, ntProof, startAuthServer, type AuthServer, type AuthServerOptions, type Seen } from './auth-server.js';

const SOAP_USER = 'svc';
const SOAP_PASSWORD = 'SoapPw-5c1e';
/** The web server's account; the password has characters that every encoding changes. */
const HTTP_USER = 'jdoe';
const HTTP_PASSWORD = 'HttpPw9d2f&<"é\'>';
const WRONG_PASSWORD = 'WrongHttpPw77a1';
const DOMAIN = 'TESTDOM';
const CHUNK = 262_144;

let emulator: RunningEmulator;
const servers: AuthServer[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ users: [{ user: SOAP_USER, password: SOAP_PASSWORD }], log: () => undefined });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await emulator.close();
});

async function front(options: Omit<AuthServerOptions, 'upstream' | 'account'>): Promise<AuthServer> {
  const server = await startAuthServer({ upstream: emulator.url, account: { user: HTTP_USER, password: HTTP_PASSWORD, domain: DOMAIN }, ...options });
  servers.push(server);
  return server;
}

/** What a caller could see: every record, warning and error, printed every way. */
class Capture {
  readonly records: ExchangeRecord[] = [];
  readonly warnings: SessionWarning[] = [];
  readonly onExchange = (record: ExchangeRecord) => void this.records.push(record);
  readonly onWarning = (warning: SessionWarning) => void this.warnings.push(warning);
  text(...errors: unknown[]): string {
    return [JSON.stringify(this.records), inspect(this.warnings, { depth: Infinity }), ...errors.flatMap((e) => [inspect(e, { depth: Infinity, showHidden: true }), JSON.stringify(e), String(e), (e as Error)?.stack ?? ''])].join('\n');
  }
}

/** The credentials, as they would leak: the password, and every Authorization value the server got. */
function expectNoCredentials(text: string, server: AuthServer): void {
  const values = [HTTP_PASSWORD, WRONG_PASSWORD, 'HttpPw9d2f', 'WrongHttpPw77a1', SOAP_PASSWORD];
  const tokens = server.seen.map((s) => s.headers['authorization']).filter((a): a is string => a !== undefined).map((a) => a.split(' ')[1] ?? a);
  for (const secret of [...values, ...tokens]) expect(text).not.toContain(secret);
}

function byConnection(seen: readonly Seen[]): Map<number, Seen[]> {
  const connections = new Map<number, Seen[]>();
  for (const s of seen) connections.set(s.connection, [...(connections.get(s.connection) ?? []), s]);
  return connections;
}

function login(server: AuthServer, auth: Partial<HttpAuthOptions> & Pick<HttpAuthOptions, 'type'>, capture = new Capture()): Promise<SrvSession> {
  return SrvSession.login({
    url: server.url,
    user: SOAP_USER,
    password: SOAP_PASSWORD,
    auth: { user: HTTP_USER, password: HTTP_PASSWORD, ...auth },
    retry: FAST_RETRY,
    onExchange: capture.onExchange,
    onWarning: capture.onWarning,
  });
}

/** One chunk in flight, so that the calls come one after another (parallel reads are the next test's concurrent calls). */
async function downloaded(session: SrvSession, path: string): Promise<Buffer> {
  const pieces: Buffer[] = [];
  const sink = new Writable({
    write: (piece: Buffer, _encoding, done) => {
      pieces.push(Buffer.from(piece));
      done();
    },
  });
  await session.download(path, sink, { chunkSize: CHUNK, concurrency: 1 });
  return Buffer.concat(pieces);
}

describe("the tests' NTLM verifier", () => {
  // MS-NLMP 4.2.2.1.2 and 4.2.4.1.1: User "User", domain "Domain", password "Password".
  test('computes the NT hash and NTOWFv2 of the specification examples', () => {
    expect(ntHash('Password').toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(ntowfV2('Password', 'User', 'Domain').toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  // MS-NLMP 4.2.4.2.2: server challenge 0123456789abcdef, client challenge aa…, time 0, target info Domain/Server.
  test('computes the NTProofStr of the specification example', () => {
    const info = Buffer.from('02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000', 'hex');
    const blob = Buffer.concat([Buffer.from('0101000000000000', 'hex'), Buffer.alloc(8), Buffer.alloc(8, 0xaa), Buffer.alloc(4), info, Buffer.alloc(4)]);
    const proof = ntProof(ntowfV2('Password', 'User', 'Domain'), Buffer.from('0123456789abcdef', 'hex'), blob);
    expect(proof.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
  });
});

describe('NTLM', () => {
  let server: AuthServer;
  beforeAll(async () => {
    server = await front({ scheme: 'NTLM' });
  });
  beforeEach(() => {
    server.seen.length = 0;
    server.forwarded.length = 0;
  });

  test('the right credentials: one handshake of three messages on the one kept-alive connection, then a login, an upload and a download', async () => {
    const capture = new Capture();
    const session = await login(server, { type: 'ntlm' }, capture);
    const bytes = randomBytes(3 * CHUNK - 1000);
    await session.upload(bytes, '/Public/ntlm.bin', { chunkSize: CHUNK });
    const copy = await downloaded(session, '/Public/ntlm.bin');
    await session.close();

    expect(copy.equals(bytes)).toBe(true);
    expect((await emulator.readDocument('/Public/ntlm.bin')).equals(bytes)).toBe(true);
    // Calls one after another share one connection: NEGOTIATE (no body), AUTHENTICATE (with the first call), then the calls alone.
    const connections = byConnection(server.seen);
    expect(connections.size).toBe(1);
    const kinds = server.seen.map((s) => s.kind);
    expect(kinds.slice(0, 2)).toEqual(['negotiate', 'authenticate']);
    expect(kinds.slice(2).every((kind) => kind === 'plain')).toBe(true);
    expect(server.seen.length).toBe(capture.records.length + 1);
    expect(server.seen[0]?.bodyBytes).toBe(0);
    expect(server.seen.every((s) => s.bodyBytes === s.declared && s.status === (s.kind === 'negotiate' ? 401 : 200))).toBe(true);
    // No domain was given: the AUTHENTICATE message names the one the challenge named.
    expect(server.seen[1]).toMatchObject({ user: HTTP_USER, domain: DOMAIN });
    const chunks = capture.records.filter((r) => r.operation === 'UploadFileChunk');
    expect(chunks).toHaveLength(3);
    expectNoCredentials(capture.text(), server);
  });

  test('concurrent calls: each connection is authenticated once, by a handshake of its own', async () => {
    const session = await login(server, { type: 'ntlm' });
    await Promise.all(Array.from({ length: 6 }, (_, i) => session.exists(`/Public/none-${i}`)));
    await Promise.all(Array.from({ length: 6 }, (_, i) => session.exists(`/Public/none-${i}`)));
    await session.close();

    const connections = byConnection(server.seen);
    expect(connections.size).toBeGreaterThan(1);
    for (const requests of connections.values()) {
      expect(requests.map((s) => s.kind).slice(0, 2)).toEqual(['negotiate', 'authenticate']);
      expect(requests.slice(2).every((s) => s.kind === 'plain')).toBe(true);
    }
    expect(server.seen.filter((s) => s.kind === 'negotiate')).toHaveLength(connections.size);
    expect(server.seen.every((s) => s.status === (s.kind === 'negotiate' ? 401 : 200))).toBe(true);
  });

  test('more calls than connections wait for one, and the one connection is authenticated once', async () => {
    const client = await createSrvClient({ url: server.url, maxSockets: 1, auth: { type: 'ntlm', user: HTTP_USER, password: HTTP_PASSWORD } });
    await Promise.all(Array.from({ length: 4 }, () => client.ServerInfo()));
    client.close();
    expect(byConnection(server.seen).size).toBe(1);
    expect(server.seen.map((s) => s.kind)).toEqual(['negotiate', 'authenticate', 'plain', 'plain', 'plain']);
  });

  test('a call still waiting for a connection when the client closes fails as not sent', async () => {
    const client = await createSrvClient({ url: server.url, maxSockets: 1, auth: { type: 'ntlm', user: HTTP_USER, password: HTTP_PASSWORD } });
    const calls = [client.ServerInfo(), client.ServerInfo()].map((call) => call.catch((e: unknown) => e));
    client.close();
    const waited = (await Promise.all(calls))[1];
    expect(waited).toBeInstanceOf(TransportError);
    expect(waited).toMatchObject({ mayHaveReachedServer: false, message: expect.stringMatching(/closed before a connection was free/) });
  });

  test('a domain from DOMAIN\\user or from auth.domain, in any case', async () => {
    for (const auth of [{ user: `${DOMAIN}\\${HTTP_USER}` }, { domain: 'testdom' }]) {
      const session = await login(server, { type: 'ntlm', ...auth });
      await session.close();
    }
    expect(server.seen.filter((s) => s.kind === 'authenticate').map((s) => s.domain)).toEqual([DOMAIN, DOMAIN]);
  });

  test('a wrong password is an HttpAuthenticationError that names NTLM, after one handshake and no retry', async () => {
    const capture = new Capture();
    const error = await login(server, { type: 'ntlm', password: WRONG_PASSWORD }, capture).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAuthenticationError);
    expect(error).toMatchObject({ httpStatus: 401, schemes: ['NTLM'], mayHaveReachedServer: false, operation: 'AuthenticateUser' });
    expect((error as Error).message).toMatch(/refused the NTLM credentials/);
    expect(server.seen.map((s) => [s.kind, s.status, s.refused])).toEqual([
      ['negotiate', 401, undefined],
      ['authenticate', 401, 'wrong password'],
    ]);
    expect(capture.warnings.filter((w) => w.retry)).toEqual([]);
    expect(server.forwarded).toHaveLength(0);
    expectNoCredentials(capture.text(error), server);
  });

  test('a wrong user or domain is refused the same way', async () => {
    for (const auth of [{ user: 'mallory' }, { domain: 'OTHER' }]) {
      await expect(login(server, { type: 'ntlm', ...auth })).rejects.toThrow(/refused the NTLM credentials/);
    }
    expect(server.seen.filter((s) => s.kind === 'authenticate').map((s) => s.refused)).toEqual(['unknown user mallory', 'unknown domain OTHER']);
  });

  test('without auth, the 401 says which scheme the server asks for', async () => {
    const error = await SrvSession.login({ url: server.url, user: SOAP_USER, password: SOAP_PASSWORD, retry: FAST_RETRY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAuthenticationError);
    expect(error).toMatchObject({ schemes: ['NTLM'] });
    expect(server.seen).toHaveLength(1);
  });

  test('NTLM against a server that offers only Negotiate fails at once, naming what it asks for', async () => {
    const negotiate = await front({ scheme: 'Negotiate' });
    const error = await login(negotiate, { type: 'ntlm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAuthenticationError);
    expect((error as Error).message).toMatch(/without a challenge \(it asks for Negotiate\)/);
    // The server took the NTLM message for none at all.
    expect(negotiate.seen.map((s) => [s.status, s.bodyBytes, s.headers['authorization']?.split(' ')[0]])).toEqual([[401, 0, 'NTLM']]);
  });

  test('keepAlive: false is refused with NTLM, before anything is sent', async () => {
    await expect(createSrvClient({ url: server.url, keepAlive: false, auth: { type: 'ntlm', user: HTTP_USER, password: HTTP_PASSWORD } })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.seen).toHaveLength(0);
  });
});

describe('NTLM when the server does not keep the connection authenticated', () => {
  test('a server that asks again on an authenticated connection gets the request again, body intact, and every next request opens with a handshake', async () => {
    const server = await front({ scheme: 'NTLM', challengeEveryRequest: true });
    const capture = new Capture();
    const session = await login(server, { type: 'ntlm' }, capture);
    const bytes = randomBytes(2 * CHUNK + 7);
    await session.upload(bytes, '/Public/per-request.bin', { chunkSize: CHUNK });
    await session.close();

    expect((await emulator.readDocument('/Public/per-request.bin')).equals(bytes)).toBe(true);
    const kinds = server.seen.map((s) => `${s.kind} ${s.status}`);
    // The login authenticated the connection; the next call was challenged again and sent again after a new handshake.
    expect(kinds.slice(0, 5)).toEqual(['negotiate 401', 'authenticate 200', 'plain 401', 'negotiate 401', 'authenticate 200']);
    expect(kinds.slice(5).every((kind, i) => kind === (i % 2 === 0 ? 'negotiate 401' : 'authenticate 200'))).toBe(true);
    expect(server.seen.length).toBe(2 * capture.records.length + 1);
    // Every body arrived whole, the one sent twice included; the NEGOTIATE messages carried none.
    expect(server.seen.every((s) => s.bodyBytes === s.declared)).toBe(true);
    expect(server.seen.filter((s) => s.kind === 'negotiate').every((s) => s.bodyBytes === 0)).toBe(true);
    const again = server.seen[2] as Seen;
    expect(server.seen[4]?.bodyBytes).toBe(again.bodyBytes);
    expect(again.bodyBytes).toBeGreaterThan(0);
  });

  test('a server that closes the connection after its challenge: an HttpAuthenticationError that says NTLM needs it kept', async () => {
    const server = await front({ scheme: 'NTLM', closeAfterChallenge: true });
    const error = await login(server, { type: 'ntlm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAuthenticationError);
    expect((error as Error).message).toMatch(/closed the connection after its NTLM challenge/);
    expect(server.seen.map((s) => s.kind)).toEqual(['negotiate']);
  });

  test('a challenge that offers only NTLMv1 is refused without answering it', async () => {
    const server = await front({ scheme: 'NTLM', ntlmV1Only: true });
    await expect(login(server, { type: 'ntlm' })).rejects.toThrow(/offers only NTLMv1/);
    expect(server.seen.map((s) => s.kind)).toEqual(['negotiate']);
  });
});

describe('Negotiate', () => {
  test('the NTLM handshake under the Negotiate scheme', async () => {
    const server = await front({ scheme: 'Negotiate' });
    const capture = new Capture();
    const session = await login(server, { type: 'negotiate' }, capture);
    expect(await session.exists('/Public/none')).toBeUndefined();
    await session.close();
    expect(server.seen.map((s) => s.kind)).toEqual(['negotiate', 'authenticate', 'plain', 'plain']);
    expect(server.seen.slice(0, 2).every((s) => /^Negotiate TlRMTVNTUA/.test(s.headers['authorization'] ?? ''))).toBe(true);
    expectNoCredentials(capture.text(), server);
  });

  test('a Kerberos (SPNEGO) token is refused: Kerberos is not supported', () => {
    const negTokenResp = Buffer.from('a1153013a0030a0101a10c060a2b06010401823702020a', 'hex').toString('base64');
    const authenticator = new NtlmAuthenticator({ type: 'negotiate', user: HTTP_USER, password: HTTP_PASSWORD });
    expect(authenticator.challengeOf({ 'www-authenticate': `Negotiate ${negTokenResp}` })).toBe(negTokenResp);
    expect(() => authenticator.authenticateMessage(negTokenResp, 'ServerInfo')).toThrow(/ServerInfo: HTTP 401: the web server's Negotiate challenge is not NTLM: Kerberos \(SPNEGO\) is not supported/);
  });

  test('a wrong password is an HttpAuthenticationError that names Negotiate', async () => {
    const server = await front({ scheme: 'Negotiate' });
    await expect(login(server, { type: 'negotiate', password: WRONG_PASSWORD })).rejects.toThrow(/refused the Negotiate credentials/);
    expect(server.seen.map((s) => s.kind)).toEqual(['negotiate', 'authenticate']);
  });
});

describe('Basic', () => {
  let server: AuthServer;
  beforeAll(async () => {
    server = await front({ scheme: 'Basic' });
  });
  beforeEach(() => {
    server.seen.length = 0;
  });

  test('over plain http: it is refused unless allowHttp, and nothing is sent', async () => {
    const error = await login(server, { type: 'basic' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument: 'auth.allowHttp' });
    expect(server.seen).toHaveLength(0);
  });

  test('the Authorization header on every request, before the server asks', async () => {
    const capture = new Capture();
    const session = await login(server, { type: 'basic', allowHttp: true }, capture);
    await session.upload(randomBytes(CHUNK + 5), '/Public/basic.bin', { chunkSize: CHUNK });
    await session.close();
    expect(server.seen.length).toBe(capture.records.length);
    expect(server.seen.every((s) => s.status === 200 && s.bodyBytes === s.declared)).toBe(true);
    const expected = `Basic ${Buffer.from(`${HTTP_USER}:${HTTP_PASSWORD}`, 'utf8').toString('base64')}`;
    expect(new Set(server.seen.map((s) => s.headers['authorization']))).toEqual(new Set([expected]));
    expectNoCredentials(capture.text(), server);
  });

  test('a wrong password is an HttpAuthenticationError that names Basic, after one request', async () => {
    const capture = new Capture();
    const error = await login(server, { type: 'basic', allowHttp: true, password: WRONG_PASSWORD }, capture).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpAuthenticationError);
    expect(error).toMatchObject({ httpStatus: 401, schemes: ['Basic'] });
    expect((error as Error).message).toMatch(/refused the Basic credentials/);
    expect(server.seen).toHaveLength(1);
    expectNoCredentials(capture.text(error), server);
  });

});

describe('over https', () => {
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = await makeCertificates();
  });
  afterAll(async () => {
    await rm(certs.dir, { recursive: true, force: true });
  });
  const secureFront = (scheme: AuthServerOptions['scheme']) => front({ scheme, tls: { cert: certs.server.cert, key: certs.server.key } });

  test('Basic needs no opt-in', async () => {
    const secure = await secureFront('Basic');
    const session = await SrvSession.login({ url: secure.url, user: SOAP_USER, password: SOAP_PASSWORD, tls: { ca: certs.ca.cert }, auth: { type: 'basic', user: HTTP_USER, password: HTTP_PASSWORD } });
    await session.close();
    expect(secure.seen.map((s) => [s.kind, s.status])).toEqual([['basic', 200], ['basic', 200]]);
  });

  test('NTLM authenticates the TLS connection once', async () => {
    const secure = await secureFront('NTLM');
    const session = await SrvSession.login({ url: secure.url, user: SOAP_USER, password: SOAP_PASSWORD, tls: { ca: certs.ca.cert }, auth: { type: 'ntlm', user: HTTP_USER, password: HTTP_PASSWORD } });
    await session.upload(randomBytes(CHUNK + 1), '/Public/tls-ntlm.bin', { chunkSize: CHUNK });
    await session.close();
    expect(secure.seen.map((s) => s.connection).every((id) => id === 1)).toBe(true);
    expect(secure.seen.map((s) => s.kind).slice(0, 3)).toEqual(['negotiate', 'authenticate', 'plain']);
    expect(secure.seen.filter((s) => s.kind === 'negotiate')).toHaveLength(1);
  });
});

describe('headers of every request', () => {
  test('User-Agent names the library and Node; custom headers arrive; the records show them, credential-like ones redacted', async () => {
    const server = await front({ scheme: 'NTLM' });
    const capture = new Capture();
    const client = await createSrvClient({ url: server.url, auth: { type: 'ntlm', user: HTTP_USER, password: HTTP_PASSWORD }, headers: { 'X-Trace': 'trace-1', 'X-Api-Key': 'key-8f3b' }, onExchange: capture.onExchange });
    await client.ServerInfo();
    client.close();
    expect(server.seen.map((s) => s.headers['user-agent'])).toEqual([`srv-asmx-client/${VERSION} (node/${process.versions.node})`, `srv-asmx-client/${VERSION} (node/${process.versions.node})`]);
    expect(server.seen.map((s) => [s.headers['x-trace'], s.headers['x-api-key']])).toEqual([['trace-1', 'key-8f3b'], ['trace-1', 'key-8f3b']]);
    expect(capture.records[0]?.request.headers).toMatchObject({ 'User-Agent': `srv-asmx-client/${VERSION} (node/${process.versions.node})`, 'X-Trace': 'trace-1', 'X-Api-Key': '[redacted]' });
    expect(JSON.stringify(capture.records)).not.toContain('key-8f3b');
  });

  test('a custom User-Agent replaces the default, whatever its case', async () => {
    const server = await front({ scheme: 'Basic' });
    const client = await createSrvClient({ url: server.url, auth: { type: 'basic', user: HTTP_USER, password: HTTP_PASSWORD, allowHttp: true }, headers: { 'user-agent': 'acme-sync/2.1' } });
    await client.ServerInfo();
    client.close();
    expect(server.seen[0]?.headers['user-agent']).toBe('acme-sync/2.1');
  });

  test.each([
    [{ 'Content-Type': 'text/plain' }, 'Content-Type'],
    [{ SOAPAction: '"x"' }, 'SOAPAction'],
    [{ 'Content-Length': '1' }, 'Content-Length'],
    [{ 'Bad Name': 'x' }, 'Bad Name'],
    [{ 'X-Split': 'a\r\nInjected: yes' }, 'X-Split'],
  ])('%j is refused before anything is sent', async (headers, name) => {
    const error = await createSrvClient({ url: 'http://127.0.0.1:9/srv.asmx', headers }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(`headers[${JSON.stringify(name)}]`);
  });

  test('Authorization may be a custom header, but not together with auth', async () => {
    await expect(createSrvClient({ url: 'https://127.0.0.1:9/srv.asmx', headers: { Authorization: 'Bearer x' } })).resolves.toBeDefined();
    await expect(createSrvClient({ url: 'https://127.0.0.1:9/srv.asmx', headers: { Authorization: 'Bearer x' }, auth: { type: 'ntlm', user: 'u', password: 'p' } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('the command line', () => {
  let ntlm: AuthServer;
  let basic: AuthServer;
  const env = (server: AuthServer, extra: Record<string, string> = {}) => ({
    SRV_ASMX_URL: server.url,
    SRV_ASMX_USER: SOAP_USER,
    SRV_ASMX_PASSWORD: SOAP_PASSWORD,
    SRV_ASMX_HTTP_USER: HTTP_USER,
    SRV_ASMX_HTTP_PASSWORD: HTTP_PASSWORD,
    ...extra,
  });
  const transcript = (run: CliRun) => `${run.stdout}\n${run.stderr}`;
  beforeAll(async () => {
    ntlm = await front({ scheme: 'NTLM' });
    basic = await front({ scheme: 'Basic' });
  });
  beforeEach(() => {
    ntlm.seen.length = 0;
    basic.seen.length = 0;
  });

  test.each(['--verbose', '--verbose --json'])('--http-auth ntlm with the password from SRV_ASMX_HTTP_PASSWORD (%s): no credential in the output', async (mode) => {
    const run = await runCli(['exists', '/Public/x', '--http-auth', 'ntlm', ...mode.split(' ')], { env: env(ntlm) });
    expect(run.code).toBe(10);
    expect(run.stderr).toMatch(/→ DocumentExists/);
    expect(ntlm.seen.map((s) => s.kind).slice(0, 2)).toEqual(['negotiate', 'authenticate']);
    expectNoCredentials(transcript(run), ntlm);
  });

  test('a wrong HTTP password exits 3, saying the NTLM credentials were refused', async () => {
    for (const mode of [[], ['--json']]) {
      const run = await runCli(['exists', '/Public/x', '--http-auth', 'ntlm', '--verbose', ...mode], { env: env(ntlm, { SRV_ASMX_HTTP_PASSWORD: WRONG_PASSWORD }) });
      expect(run.code).toBe(3);
      expect(transcript(run)).toMatch(/refused the NTLM credentials/);
      expectNoCredentials(transcript(run), ntlm);
    }
    expect(ntlm.seen.map((s) => s.kind)).toEqual(['negotiate', 'authenticate', 'negotiate', 'authenticate']);
  });

  test('--http-user, --http-domain, --http-password (with a warning) and --header, for negotiate and basic', async () => {
    const negotiate = await front({ scheme: 'Negotiate' });
    const flags = ['--http-auth', 'negotiate', '--http-user', 'someone-else', '--http-domain', DOMAIN, '--http-password', HTTP_PASSWORD, '--header', 'X-Trace: cli-1', '--header', 'X-Team: docs'];
    const run = await runCli(['exists', '/Public/x', ...flags, '--http-user', HTTP_USER], { env: { ...env(negotiate), SRV_ASMX_HTTP_PASSWORD: '' } });
    expect(run.code).toBe(10);
    expect(run.stderr).toMatch(/--http-password shows in the process list/);
    expect(negotiate.seen[1]).toMatchObject({ kind: 'authenticate', status: 200, user: HTTP_USER, domain: DOMAIN });
    expect(negotiate.seen.every((s) => s.headers['x-trace'] === 'cli-1' && s.headers['x-team'] === 'docs')).toBe(true);

    const plain = await runCli(['exists', '/Public/x', '--http-auth', 'basic', '--json'], { env: env(basic) });
    expect(plain.code).toBe(2);
    expect(plain.stdout + plain.stderr).toMatch(/--allow-http-basic/);
    expect(basic.seen).toHaveLength(0);
    const allowed = await runCli(['exists', '/Public/x', '--http-auth', 'basic', '--allow-http-basic', '--verbose'], { env: env(basic, { SRV_ASMX_HEADERS: 'X-Trace: env-1\nX-Api-Key: k-77e1' }) });
    expect(allowed.code).toBe(10);
    expect(basic.seen.length).toBeGreaterThan(0);
    expect(basic.seen.every((s) => s.status === 200 && s.headers['x-trace'] === 'env-1' && s.headers['x-api-key'] === 'k-77e1')).toBe(true);
    expect(transcript(allowed)).not.toContain('k-77e1');
    expectNoCredentials(transcript(allowed), basic);

    const bearer = await runCli(['exists', '/Public/x', '--header', 'Authorization: Bearer tok-5d0c'], { env: env(basic) });
    expect(bearer.code).toBe(3);
    expect(bearer.stderr).toMatch(/--header Authorization shows in the process list; prefer SRV_ASMX_HEADERS/);
    expect(basic.seen.at(-1)?.headers['authorization']).toBe('Bearer tok-5d0c');
    expect(transcript(bearer)).not.toContain('tok-5d0c');
  });

  test('usage errors: no HTTP password without a terminal, flags without --http-auth, an unknown scheme, a malformed --header', async () => {
    const runs = await Promise.all([
      runCli(['exists', '/Public/x', '--http-auth', 'ntlm'], { env: env(ntlm, { SRV_ASMX_HTTP_PASSWORD: '' }) }),
      runCli(['exists', '/Public/x', '--http-user', HTTP_USER], { env: env(ntlm) }),
      runCli(['exists', '/Public/x', '--http-auth', 'kerberos'], { env: env(ntlm) }),
      runCli(['exists', '/Public/x', '--header', 'no colon'], { env: env(ntlm) }),
    ]);
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]?.stderr).toMatch(/SRV_ASMX_HTTP_PASSWORD/);
    expect(ntlm.seen).toHaveLength(0);
  });
});
