import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { DEAD_TICKET, envelope11, login, postSoap11, resultOf, soap, TEMPURI } from './helpers.js';

const USERS = [
  { user: 'demo', password: 'demo' },
  { user: 'Alice', password: 'secret' },
  { user: 'admin', password: 'admin' },
];

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ users: USERS, sysadminAccount: 'admin' });
});
afterAll(() => emulator.close());

const SESSION_EXPIRED = '[901] Session expired or Invalid ticket';

describe('AuthenticateUser / AuthenticateUser1', () => {
  it.each(['AuthenticateUser', 'AuthenticateUser1'])('%s returns a ticket and the profile', async (op) => {
    const params: [string, string][] = [['UID', 'ALICE'], ['PWD', 'secret']];
    if (op === 'AuthenticateUser1') params.push(['Lang', 'de']);
    const { status, result } = await soap(emulator.url, op, params);
    expect(status).toBe(200);
    expect(result.name).toBe('root');
    expect(result.attrs).toMatchObject({ success: 'true', userid: '2', username: 'Alice', isAuthenticated: 'True' });
    expect(result.attrs.ticket).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(result.attrs.expireOn).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(result.attrs.expireOn ?? '') - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(Object.keys(result.attrs)).toEqual(['success', 'ticket', 'userid', 'username', 'firstName', 'lastName', 'fullname', 'email', 'expireOn', 'isAuthenticated']);
  });

  it.each([
    ['a wrong password', 'demo', 'wrong'],
    ['an unknown user', 'nobody', 'demo'],
    ['a password in the wrong case', 'alice', 'SECRET'],
  ])('refuses %s with [900]', async (_case, uid, pwd) => {
    const { result } = await soap(emulator.url, 'AuthenticateUser', [['UID', uid], ['PWD', pwd]]);
    expect(result.attrs).toEqual({ success: 'false', error: '[900] Authentication failed' });
  });

  it('refuses the sysadmin account with [902]', async () => {
    const { result } = await soap(emulator.url, 'AuthenticateUser1', [['UID', 'admin'], ['PWD', 'admin']]);
    expect(result.attrs).toEqual({ success: 'false', error: '[902] Ticket generation not allowed' });
  });

  it('binds SOAP parameters by exact case: uid/pwd read as missing', async () => {
    const { result } = await soap(emulator.url, 'AuthenticateUser', [['uid', 'demo'], ['pwd', 'demo']]);
    expect(result.attrs.error).toBe('[900] Authentication failed');
  });
});

describe('isValidTicket', () => {
  it('answers the profile without a ticket attribute', async () => {
    const ticket = await login(emulator.url);
    const { result } = await soap(emulator.url, 'isValidTicket', [['AuthenticationTicket', ticket]]);
    expect(result.attrs).toMatchObject({ success: 'true', username: 'demo', isAuthenticated: 'True' });
    expect(result.attrs.expireOn).toMatch(/Z$/);
    expect(result.attrs.ticket).toBeUndefined();
  });

  it('answers [901] for a missing, unknown or malformed ticket', async () => {
    for (const params of [[], [['AuthenticationTicket', DEAD_TICKET]], [['AuthenticationTicket', 'garbage']]] as [string, string][][]) {
      const { result } = await soap(emulator.url, 'isValidTicket', params);
      expect(result.attrs).toEqual({ success: 'false', error: SESSION_EXPIRED });
    }
  });

  it('takes AuthenticationTicket with a capital A: the lower-case name reads as missing', async () => {
    const ticket = await login(emulator.url);
    const { result } = await soap(emulator.url, 'isValidTicket', [['authenticationTicket', ticket]]);
    expect(result.attrs.error).toBe(SESSION_EXPIRED);
  });

  it('falls back to the ticket cookie when the parameter is missing', async () => {
    const ticket = await login(emulator.url);
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${TEMPURI}isValidTicket"`, Cookie: `other=1; ticket=${ticket}` },
      body: envelope11('isValidTicket', []),
    });
    expect(resultOf(await response.text()).attrs.success).toBe('true');
  });
});

describe('LogOut', () => {
  it('invalidates the ticket; any later use gets [901], and so does a second LogOut', async () => {
    const ticket = await login(emulator.url);
    expect((await soap(emulator.url, 'LogOut', [['AuthenticationTicket', ticket]])).result.xml).toBe('<root xmlns="" success="true" />');
    expect((await soap(emulator.url, 'FolderExists', [['authenticationTicket', ticket], ['Path', '/Public']])).result.attrs.error).toBe(SESSION_EXPIRED);
    expect((await soap(emulator.url, 'LogOut', [['AuthenticationTicket', ticket]])).result.attrs).toEqual({ success: 'false', error: SESSION_EXPIRED });
  });

  it('answers [901] for a missing ticket', async () => {
    expect((await soap(emulator.url, 'LogOut', [])).result.attrs.error).toBe(SESSION_EXPIRED);
  });
});

describe('RenewTicket', () => {
  const renew = (params: [string, string][]) => soap(emulator.url, 'RenewTicket', params).then((reply) => reply.result.attrs);

  it('extends a live ticket and returns the same one', async () => {
    const ticket = await login(emulator.url);
    const renewed = await renew([['UID', 'demo'], ['PWD', 'demo'], ['OldTicket', ticket]]);
    expect(renewed).toMatchObject({ success: 'true', ticket });
  });

  it('checks the GUID format before the credentials', async () => {
    expect(await renew([['UID', 'demo'], ['PWD', 'wrong'], ['OldTicket', 'abc123']])).toEqual({ success: 'false', error: 'invalid ticket format' });
  });

  it('fails on wrong credentials even with a live ticket', async () => {
    const ticket = await login(emulator.url);
    expect(await renew([['UID', 'demo'], ['PWD', 'wrong'], ['OldTicket', ticket]])).toEqual({ success: 'false', error: '[900] Authentication failed' });
  });

  it('issues a fresh ticket for an unknown or missing old ticket, and for another user\'s ticket', async () => {
    const aliceTicket = await login(emulator.url, 'Alice', 'secret');
    for (const oldTicket of [DEAD_TICKET, '', aliceTicket]) {
      const renewed = await renew([['UID', 'demo'], ['PWD', 'demo'], ['OldTicket', oldTicket]]);
      expect(renewed.success).toBe('true');
      expect(renewed.ticket).not.toBe(oldTicket);
      expect(renewed.username).toBe('demo');
    }
  });

  it('refuses the sysadmin account with the RenewTicket wording of [902]', async () => {
    expect(await renew([['UID', 'admin'], ['PWD', 'admin']])).toEqual({ success: 'false', error: '[902] Ticket generation are not allowed for this user.' });
  });

  it('reads the ticket cookie when OldTicket is empty', async () => {
    const ticket = await login(emulator.url);
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${TEMPURI}RenewTicket"`, Cookie: `ticket=${ticket}` },
      body: envelope11('RenewTicket', [['UID', 'demo'], ['PWD', 'demo']]),
    });
    expect(resultOf(await response.text()).attrs.ticket).toBe(ticket);
  });
});

describe('ticket operations', () => {
  it('answer [900] for a missing ticket and [901] for an unknown one', async () => {
    const missing = await soap(emulator.url, 'CreateUploadHandler', [['PreferedChunkSize', '0']]);
    expect(missing.result.attrs).toEqual({ success: 'false', error: '[900] Authentication failed' });
    const unknown = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', DEAD_TICKET], ['PreferedChunkSize', '0']]);
    expect(unknown.result.attrs).toEqual({ success: 'false', error: SESSION_EXPIRED });
  });

  it('accept a ticket written in upper case', async () => {
    const ticket = await login(emulator.url);
    const { result } = await soap(emulator.url, 'FolderExists', [['authenticationTicket', ticket.toUpperCase()], ['Path', '/Public']]);
    expect(result.attrs.success).toBe('true');
  });
});

describe('sliding expiry', () => {
  let shortLived: RunningEmulator;
  beforeAll(async () => {
    shortLived = await startEmulator({ ticketTtlMs: 600 });
  });
  afterAll(() => shortLived.close());

  const folderExists = (ticket: string) =>
    soap(shortLived.url, 'FolderExists', [['authenticationTicket', ticket], ['Path', '/Public']]).then((reply) => reply.result.attrs);

  it('every successful call extends the ticket; an idle ticket expires', async () => {
    const ticket = await login(shortLived.url);
    for (let i = 0; i < 5; i += 1) {
      await delay(200);
      expect(await folderExists(ticket)).toEqual({ success: 'true' });
    }
    await delay(800);
    expect(await folderExists(ticket)).toEqual({ success: 'false', error: SESSION_EXPIRED });
    expect(shortLived.state().tickets).toBe(0);
  });

  it('isValidTicket does not keep a ticket alive', async () => {
    const ticket = await login(shortLived.url);
    await delay(200);
    expect((await soap(shortLived.url, 'isValidTicket', [['AuthenticationTicket', ticket]])).result.attrs.success).toBe('true');
    await delay(600);
    expect((await soap(shortLived.url, 'isValidTicket', [['AuthenticationTicket', ticket]])).result.attrs.error).toBe(SESSION_EXPIRED);
  });

  it('an expired OldTicket makes RenewTicket issue a new ticket', async () => {
    const ticket = await login(shortLived.url);
    await delay(700);
    const { result } = await soap(shortLived.url, 'RenewTicket', [['UID', 'demo'], ['PWD', 'demo'], ['OldTicket', ticket]]);
    expect(result.attrs.success).toBe('true');
    expect(result.attrs.ticket).not.toBe(ticket);
  });
});

describe('the ticket never leaks', () => {
  it('into the state view or the request log', async () => {
    const lines: string[] = [];
    const logged = await startEmulator({ log: (line) => lines.push(line) });
    try {
      const ticket = await login(logged.url);
      await fetch(`${logged.url}/FolderExists?authenticationTicket=${ticket}&Path=/Public`);
      await postSoap11(logged.url, `${TEMPURI}AuthenticateUser`, envelope11('AuthenticateUser', [['UID', 'demo'], ['PWD', 'demo']]));
      const stateJson = await fetch(logged.url.replace('/srv.asmx', '/__emulator/state')).then((r) => r.text());
      expect(stateJson).not.toContain(ticket);
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines.join('\n')).not.toContain(ticket);
      expect(lines.join('\n')).not.toMatch(/PWD|demo&|password/i);
    } finally {
      await logged.close();
    }
  });
});
