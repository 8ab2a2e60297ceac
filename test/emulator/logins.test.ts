// CreateTicketforUser and AuthenticateUserViaWindows over raw HTTP: the account before the secret
// (C52), a reply with the ticket alone, and a host without Windows authentication (C40, C54).
import { postForm, resultOf, soap, useEmulator } from './helpers.js';

const env = useEmulator({ users: [{ user: 'demo', password: 'demo' }, { user: 'admin', password: 'pw' }], sysadminAccount: 'admin', trustedUserPassword: 'server-secret' });

const forUser = (secret: string, user: string) => soap(env.emulator.url, 'CreateTicketforUser', [['TrustedUserPwd', secret], ['UserName', user]]).then((r) => r.result);

describe('CreateTicketforUser', () => {
  it("answers only success and a ticket, which carries the user's session", async () => {
    const result = await forUser('server-secret', 'DEMO');
    expect(Object.keys(result.attrs)).toEqual(['success', 'ticket']);
    const valid = await soap(env.emulator.url, 'isValidTicket', [['AuthenticationTicket', result.attrs.ticket ?? '']]);
    expect(valid.result.attrs).toMatchObject({ success: 'true', username: 'demo' });
  });

  it('refuses the sysadmin account with [902] whatever the secret, before it is checked (C52)', async () => {
    for (const secret of ['server-secret', 'wrong']) {
      expect((await forUser(secret, 'admin')).attrs).toEqual({ success: 'false', error: '[902] Ticket generation are not allowed for this user.' });
    }
  });

  it('refuses a wrong secret and an unknown user alike with [900]', async () => {
    expect((await forUser('wrong', 'demo')).attrs).toEqual({ success: 'false', error: '[900] Authentication failed' });
    expect((await forUser('server-secret', 'nobody')).attrs).toEqual({ success: 'false', error: '[900] Authentication failed' });
  });

  it('binds TrustedUserPwd exactly over SOAP, case-insensitively over POST', async () => {
    const wrongCase = await soap(env.emulator.url, 'CreateTicketforUser', [['trustedUserPwd', 'server-secret'], ['UserName', 'demo']]);
    expect(wrongCase.result.attrs.error).toBe('[900] Authentication failed');
    const form = await postForm(env.emulator.url, 'CreateTicketforUser', [['TrustedUserPwd', 'server-secret'], ['UserName', 'demo']]);
    expect(resultOf(form.body).attrs.success).toBe('true');
  });
});

describe('AuthenticateUserViaWindows', () => {
  const viaWindows = (params: [string, string][]) => soap(env.emulator.url, 'AuthenticateUserViaWindows', params).then((r) => r.result.attrs);

  it('fails as a host without Windows authentication does, with a real dash where the page prints a damaged one (C40)', async () => {
    expect(await viaWindows([['language', 'en'], ['oldTicket', '']])).toEqual({ success: 'false', error: '[900] Authentication failed \u2013 Unauthenticated User.' });
    expect(await viaWindows([])).toEqual({ success: 'false', error: '[900] Authentication failed \u2013 Unauthenticated User.' });
  });

  it('checks the format of oldTicket first', async () => {
    expect(await viaWindows([['oldTicket', 'not-a-guid']])).toEqual({ success: 'false', error: 'invalid ticket format' });
  });
});
