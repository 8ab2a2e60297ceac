// The caller's hooks into every call: headers per call and per request (onRequest) that reach the
// wire, a veto over the retries and restarts the library would make (shouldRetry), a logger given
// structured records with no secret in them, and exchange records that name a call's attempts.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  createSrvClient,
  InvalidArgumentError,
  MIN_CHUNK_SIZE,
  SrvError,
  SrvSession,
  TicketExpiredError,
  type Action,
  type ExchangeRecord,
  type LogFields,
  type Logger,
  type LoginOptions,
  type ShouldRetry,
} from '../../src/index.js';

const PASSWORD = 'correct horse battery staple';
const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };
let emulator: RunningEmulator;
let front: Front;

/** A server in front of the emulator that keeps the headers of every request it forwards. */
interface Front {
  readonly url: string;
  readonly seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function startFront(target: string): Promise<Front> {
  const upstream = new URL(target);
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    seen.push(request.headers);
    const forwarded = http.request({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ users: [{ user: 'demo', password: PASSWORD }] });
  front = await startFront(emulator.url);
});
afterEach(() => {
  emulator.faults.clear();
  front.seen.length = 0;
});
afterAll(async () => {
  await front.close();
  await emulator.close();
});

/** Sessions a test opened, closed after it. */
const open: SrvSession[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((session) => session.close()));
});

async function login(extra: Partial<LoginOptions> = {}): Promise<SrvSession> {
  const session = await SrvSession.login({ url: front.url, user: 'demo', password: PASSWORD, retry: FAST_RETRY, ...extra });
  open.push(session);
  return session;
}

describe('headers per call and per request', () => {
  test("a call's headers and what onRequest returns reach the wire, on that request alone, and are redacted in records", async () => {
    const asked: Array<{ operation: string; method: string; url: string; attempt: number }> = [];
    const records: ExchangeRecord[] = [];
    const session = await login({
      headers: { 'X-Client': 'fixed' },
      onExchange: (record) => void records.push(record),
      onRequest: ({ operation, method, url, headers, attempt }) => {
        asked.push({ operation, method, url, attempt });
        expect(headers['X-Client']).toBe('fixed');
        return { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };
      },
    });
    front.seen.length = 0;
    await session.call('FolderExists', { Path: '/Public' }, { headers: { 'X-Request-Id': 'r-1', Authorization: 'Bearer secret-token' } });
    await session.call('ServerInfo', {});
    const [first, second] = front.seen;
    expect(first).toMatchObject({ 'x-client': 'fixed', 'x-request-id': 'r-1', authorization: 'Bearer secret-token', traceparent: expect.stringMatching(/^00-a{32}-/) });
    expect(second).toMatchObject({ 'x-client': 'fixed', traceparent: expect.any(String) });
    expect(second).not.toHaveProperty('x-request-id');
    expect(asked.map((a) => a.operation)).toEqual(['AuthenticateUser', 'FolderExists', 'ServerInfo']);
    expect(asked.every((a) => a.method === 'POST' && a.attempt === 1 && a.url.endsWith('/srv.asmx'))).toBe(true);
    const exists = records.find((r) => r.operation === 'FolderExists');
    expect(exists?.request.headers).toMatchObject({ 'X-Request-Id': 'r-1', traceparent: expect.any(String) });
    expect(JSON.stringify(records)).not.toContain('secret-token');
  });

  test("a header that is the client's own is refused with InvalidArgumentError, per call or from onRequest, before anything is sent", async () => {
    const session = await login();
    front.seen.length = 0;
    await expect(session.call('ServerInfo', {}, { headers: { 'Content-Type': 'text/plain' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(session.call('ServerInfo', {}, { headers: { 'Bad Name': 'x' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    const hooked = await login({ onRequest: ({ operation }) => (operation === 'ServerInfo' ? { SOAPAction: 'x' } : undefined) });
    await expect(hooked.call('ServerInfo', {})).rejects.toThrow(/onRequest\["SOAPAction"\].*set by the client itself/);
    expect(front.seen.filter((h) => String(h['soapaction']).includes('ServerInfo'))).toHaveLength(0);
  });

  test('beside auth, Authorization cannot be set per call', async () => {
    const client = await createSrvClient({ url: front.url, auth: { type: 'basic', user: 'web', password: 'web-pass', allowHttp: true } });
    await expect(client.ServerInfo({}, { headers: { authorization: 'Bearer x' } })).rejects.toThrow(/cannot be set together with auth/);
    client.close();
  });
});

describe('exchange records', () => {
  test("a retried call's records count its attempts 1, 2 under one callId; another call has its own", async () => {
    const records: ExchangeRecord[] = [];
    const session = await login({ onExchange: (record) => void records.push(record) });
    records.length = 0;
    emulator.faults.add({ op: 'FolderExists', kind: 'http500', at: [1] });
    await session.call('FolderExists', { Path: '/Public' });
    await session.call('ServerInfo', {});
    const [first, second, third] = records;
    expect(records).toHaveLength(3);
    expect([first?.attempt, second?.attempt, third?.attempt]).toEqual([1, 2, 1]);
    expect(first?.callId).toBe(second?.callId);
    expect(third?.callId).not.toBe(first?.callId);
    expect(records.every((r) => r.method === 'POST' && r.binding === 'soap11')).toBe(true);
  });
});

describe('shouldRetry', () => {
  type Asked = { error: string; attempt: number; action: Action };
  const asking = (answer: (action: Action) => boolean, asked: Asked[]): ShouldRetry => (error, attempt, decision) => {
    asked.push({ error: error.name, attempt, action: decision.action });
    return answer(decision.action);
  };

  test('false declines a resend: the call fails after fewer attempts, with the error', async () => {
    const asked: Asked[] = [];
    const records: ExchangeRecord[] = [];
    const session = await login({ shouldRetry: asking(() => false, asked), onExchange: (record) => void records.push(record) });
    records.length = 0;
    emulator.faults.add({ op: 'FolderExists', kind: 'http500', at: [1, 2] });
    const failed = await session.call('FolderExists', { Path: '/Public' }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(SrvError);
    expect(records).toHaveLength(1);
    expect(asked).toEqual([{ error: (failed as SrvError).name, attempt: 1, action: 'resend' }]);
  });

  test('false declines a new login: the dead ticket fails the call', async () => {
    const asked: Asked[] = [];
    const session = await login({ shouldRetry: asking((action) => action !== 'relogin', asked) });
    const ticket = session.ticket;
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1] });
    await expect(session.call('FolderExists', { Path: '/Public' })).rejects.toBeInstanceOf(TicketExpiredError);
    expect(asked).toEqual([{ error: 'TicketExpiredError', attempt: 1, action: 'relogin' }]);
    expect(session.ticket).toBe(ticket);
  });

  test('false declines a restart: the upload fails with the error, and its handler is deleted', async () => {
    const asked: Asked[] = [];
    const session = await login({ shouldRetry: asking((action) => action !== 'restart', asked) });
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'expireTicket', at: [2] });
    const failed = await session.upload(randomBytes(MIN_CHUNK_SIZE * 3), '/Public/declined.bin', { chunkSize: MIN_CHUNK_SIZE }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(SrvError);
    expect(asked.map((a) => a.action)).toEqual(['relogin', 'restart']);
    expect(asked.at(-1)).toMatchObject({ attempt: 1, error: (failed as SrvError).name });
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  test('is never asked of a failure the table ends, and true changes nothing', async () => {
    const asked: Asked[] = [];
    const session = await login({ shouldRetry: asking(() => true, asked) });
    await expect(session.call('FolderExists', { Path: '' })).rejects.toBeInstanceOf(SrvError);
    emulator.faults.add({ op: 'FolderExists', kind: 'http500', at: [1] });
    await session.call('FolderExists', { Path: '/Public' });
    expect(asked).toEqual([{ error: expect.any(String), attempt: 1, action: 'resend' }]);
  });
});

describe('logger', () => {
  test('gets structured retry, relogin and restart records at fitting levels, none with a secret', async () => {
    const lines: Array<{ level: string; message: string; fields: LogFields }> = [];
    const logger = Object.fromEntries(
      (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (message: string, fields: LogFields) => void lines.push({ level, message, fields })]),
    ) as Required<Logger>;
    const session = await login({ logger });
    const tickets = [session.ticket];
    emulator.faults.add({ op: 'FolderExists', kind: 'http500', at: [1] });
    await session.call('FolderExists', { Path: '/Public' });
    emulator.faults.clear();
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1] });
    await session.call('FolderExists', { Path: '/Public' });
    tickets.push(session.ticket);
    emulator.faults.clear();
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'expireTicket', at: [2] });
    await session.upload(randomBytes(MIN_CHUNK_SIZE * 3), '/Public/logged.bin', { chunkSize: MIN_CHUNK_SIZE });
    tickets.push(session.ticket);
    // An error that quotes a secret (a server may echo one anywhere) is logged without it.
    session.warn({ kind: 'cleanup', message: `cleanup as demo/${PASSWORD}`, operation: 'LogOut', error: new Error(`ticket ${tickets[0] ?? ''} is gone`) });
    expect(lines.at(-1)).toMatchObject({ level: 'warn', fields: { kind: 'cleanup', operation: 'LogOut', reason: 'Error: ticket [redacted] is gone' } });

    expect(lines.find((l) => l.fields.kind === 'retry')).toMatchObject({
      level: 'info',
      message: 'retrying FolderExists',
      fields: { operation: 'FolderExists', attempt: 1, retry: { number: 1, of: FAST_RETRY.retries }, reason: expect.stringMatching(/^\w+Error: /) },
    });
    expect(lines.find((l) => l.fields.kind === 'relogin')).toMatchObject({ level: 'info', fields: { reason: expect.stringMatching(/^TicketExpiredError: /) } });
    expect(lines.find((l) => l.fields.kind === 'restart')).toMatchObject({ level: 'warn', fields: { attempt: 1, reason: expect.any(String) } });
    const serialized = JSON.stringify(lines);
    for (const secret of [PASSWORD, ...new Set(tickets)]) expect(serialized).not.toContain(secret);
    expect(serialized).not.toMatch(/authorization|cookie/i);
    expect(new Set(tickets).size).toBeGreaterThan(1);
  });
});
