// The session against the emulator: login and logout, a ticket that is never printed, one new
// login when the ticket dies, and retries only where repeating a call is safe.
import { inspect } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  AuthenticationError,
  InvalidArgumentError,
  ServerError,
  SrvError,
  SrvSession,
  TicketExpiredError,
  TicketNotAllowedError,
  type ExchangeRecord,
  type SessionWarning,
} from '../../src/index.js';

const PASSWORD = 'correct horse battery staple';
const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ users: [{ user: 'demo', password: PASSWORD }, { user: 'admin', password: 'admin' }], sysadminAccount: 'admin' });
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

async function login(extra: { onExchange?: (r: ExchangeRecord) => void; onWarning?: (w: SessionWarning) => void } = {}): Promise<SrvSession> {
  return SrvSession.login({ url: emulator.url, user: 'demo', password: PASSWORD, retry: FAST_RETRY, ...extra });
}

describe('login and logout', () => {
  test('the ticket and the password never show in inspect, JSON or String', async () => {
    const session = await login();
    expect(session.ticket).toMatch(/^[0-9a-f-]{36}$/);
    for (const shown of [inspect(session, { showHidden: true, depth: 5 }), JSON.stringify(session), String(session)]) {
      expect(shown).not.toContain(session.ticket);
      expect(shown).not.toContain(PASSWORD);
    }
    expect(inspect(session)).toContain("user: 'demo'");
    await session.close();
  });

  test('wrong credentials and an account that may not have tickets are typed errors', async () => {
    await expect(SrvSession.login({ url: emulator.url, user: 'demo', password: 'nope' })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(SrvSession.login({ url: emulator.url, user: 'admin', password: 'admin' })).rejects.toBeInstanceOf(TicketNotAllowedError);
    await expect(SrvSession.login({ url: emulator.url, user: '', password: 'x' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  test('a transient failure of the login is retried', async () => {
    emulator.faults.add({ op: 'AuthenticateUser', kind: 'http500', at: [1] });
    const session = await login();
    expect(emulator.faults.injected().at(-1)).toMatchObject({ op: 'AuthenticateUser', kind: 'http500' });
    await session.close();
  });

  test('close logs out, tolerates an expired ticket, and ends the session for good', async () => {
    const session = await login();
    const ticket = session.ticket;
    await session.close();
    await session.close();
    const other = await login();
    await expect(other.client.isValidTicket({ AuthenticationTicket: ticket })).rejects.toBeInstanceOf(TicketExpiredError);
    await other.client.LogOut({ AuthenticationTicket: other.ticket });
    const warnings: SessionWarning[] = [];
    const expired = await SrvSession.fromTicket({ url: emulator.url, ticket: other.ticket, onWarning: (w) => warnings.push(w) });
    await expired.close();
    expect(warnings).toEqual([]);
    await expect(expired.call('FolderExists', { Path: '/Public' })).rejects.toThrow(/session is closed/);
    await other.close();
  });

  test.each(['dropRequest', 'dropReply', 'http500'] as const)('close() logs out though the first LogOut meets %s: no session is left logged in, and nothing is warned', async (kind) => {
    const warnings: SessionWarning[] = [];
    const session = await login({ onWarning: (w) => warnings.push(w) });
    const ticket = session.ticket;
    emulator.faults.add({ op: 'LogOut', kind, at: [1] });
    await session.close();
    expect(emulator.faults.injected().at(-1)).toMatchObject({ op: 'LogOut', kind });
    const other = await login();
    await expect(other.client.isValidTicket({ AuthenticationTicket: ticket })).rejects.toBeInstanceOf(TicketExpiredError);
    await other.close();
    expect(warnings.filter((w) => w.kind === 'cleanup')).toEqual([]);
  });

  test('fromTicket uses a given ticket and refuses an empty one', async () => {
    const owner = await login();
    const borrowed = await SrvSession.fromTicket({ url: emulator.url, ticket: owner.ticket });
    await expect(borrowed.folderExists('/Public')).resolves.toBe(true);
    await expect(SrvSession.fromTicket({ url: emulator.url, ticket: ' ' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await owner.close();
  });
});

describe('a ticket that dies', () => {
  test('a safe call logs in again once and is repeated', async () => {
    const session = await login();
    const before = session.ticket;
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1] });
    await expect(session.folderExists('/Public')).resolves.toBe(true);
    expect(session.ticket).not.toBe(before);
    await session.close();
  });

  test('calls failing together share one new login', async () => {
    const logins: ExchangeRecord[] = [];
    const session = await login({ onExchange: (r) => r.operation === 'AuthenticateUser' && logins.push(r) });
    const ticket = session.ticket;
    const other = await login();
    await other.client.LogOut({ AuthenticationTicket: ticket });
    await Promise.all(Array.from({ length: 5 }, () => session.folderExists('/Public')));
    expect(logins).toHaveLength(2);
    await Promise.all([session.close(), other.close()]);
  });

  test('without credentials it is a TicketExpiredError, whatever the code ([900] or [901])', async () => {
    const owner = await login();
    const borrowed = await SrvSession.fromTicket({ url: emulator.url, ticket: owner.ticket });
    await owner.client.LogOut({ AuthenticationTicket: owner.ticket });
    await expect(borrowed.folderExists('/Public')).rejects.toBeInstanceOf(TicketExpiredError);
    const missing = await SrvSession.fromTicket({ url: emulator.url, ticket: 'not-a-ticket' });
    await expect(missing.folderExists('/Public')).rejects.toBeInstanceOf(TicketExpiredError);
  });

  test('a second death right after the new login is not retried forever', async () => {
    const session = await login();
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1, 2] });
    await expect(session.folderExists('/Public')).rejects.toBeInstanceOf(TicketExpiredError);
    await session.close();
  });
});

describe('retries only where repeating is safe', () => {
  test('an idempotent call is retried after a transient failure, and the retry is reported', async () => {
    const warnings: SessionWarning[] = [];
    const session = await login({ onWarning: (w) => warnings.push(w) });
    emulator.faults.add({ op: 'FolderExists', kind: 'systemError', at: [1, 2] });
    await expect(session.folderExists('/Public')).resolves.toBe(true);
    expect(warnings.map((w) => w.message)).toEqual(['retrying FolderExists', 'retrying FolderExists']);
    await session.close();
  });

  test('an idempotent call gives up after the retry limit with the last typed error', async () => {
    const session = await login();
    emulator.faults.add({ op: 'FolderExists', kind: 'systemError' });
    await expect(session.folderExists('/Public')).rejects.toBeInstanceOf(ServerError);
    expect(emulator.faults.injected().filter((f) => f.op === 'FolderExists' && f.kind === 'systemError').length).toBeGreaterThanOrEqual(FAST_RETRY.retries + 1);
    await session.close();
  });

  test('a call that is not idempotent is never repeated by the session', async () => {
    const session = await login();
    emulator.faults.add({ op: 'UploadDocumentWithHandler', kind: 'http500' });
    const error = await session.call('UploadDocumentWithHandler', { path: '/Public/x.bin', uploadHandler: '11111111-1111-4111-8111-111111111111' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SrvError);
    expect(emulator.faults.injected().filter((f) => f.op === 'UploadDocumentWithHandler')).toHaveLength(1);
    await session.close();
  });
});
