// Lock, UnLock and GetCheckedoutDocuments over raw HTTP: locks per user, a folder's refusals as
// [log] entries (C45), an upload onto another user's lock refused (C46), and how locks meet
// deletion (C53) and the listings.
import { login, soap, stage, uploadDocument, useEmulator } from './helpers.js';

const env = useEmulator({ users: [{ user: 'demo', password: 'demo' }, { user: 'jsmith', password: 'pw' }] });
let other: string;

beforeAll(async () => {
  other = await login(env.emulator.url, 'jsmith', 'pw');
  await soap(env.emulator.url, 'CreateFolder', [['authenticationTicket', env.ticket], ['Path', '/Public/Team']]);
  for (const name of ['a.txt', 'b.txt', 'c.txt']) await uploadDocument(env.emulator.url, env.ticket, `/Public/Team/${name}`, Buffer.from(name));
});

const lock = (path: string, ticket = env.ticket) => soap(env.emulator.url, 'Lock', [['AuthenticationTicket', ticket], ['Path', path]]).then((r) => r.result);
const unlock = (path: string, ticket = env.ticket, force = false) =>
  soap(env.emulator.url, 'UnLock', [['authenticationTicket', ticket], ['path', path], ['force', String(force)]]).then((r) => r.result.attrs);
const checkouts = (ticket = env.ticket) =>
  soap(env.emulator.url, 'GetCheckedoutDocuments', [['AuthenticationTicket', ticket], ['withpropertysets', 'false'], ['withsecurity', 'false'], ['withOwner', 'false'], ['withVersions', 'false']]).then((r) => r.result);
const holder = (path: string) => env.emulator.state().documents.find((d) => d.path === path)?.checkedOutBy;

describe('Lock and UnLock of a document', () => {
  afterEach(async () => {
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      await unlock(`/Public/Team/${name}`);
      await unlock(`/Public/Team/${name}`, other);
    }
  });

  it('locks for one user; another is refused by name, the holder is told it is theirs already', async () => {
    expect((await lock('/Public/Team/a.txt')).xml).toBe('<response xmlns="" success="true" error="" />');
    expect(holder('/Public/Team/a.txt')).toBe('demo');
    expect((await lock('/Public/Team/a.txt', other)).attrs).toEqual({ success: 'false', error: 'Document is checked out by demo.' });
    expect((await lock('/Public/Team/a.txt')).attrs).toEqual({ success: 'false', error: 'Document is already checked out by you.' });
  });

  it('unlocks only for the holder: another user is "not locked by you", and with force "Access denied" (no administrators)', async () => {
    await lock('/Public/Team/a.txt');
    expect(await unlock('/Public/Team/a.txt', other)).toEqual({ success: 'false', error: 'The document is not locked by you.' });
    expect(await unlock('/Public/Team/a.txt', other, true)).toEqual({ success: 'false', error: 'Access denied' });
    expect(await unlock('/Public/Team/a.txt')).toEqual({ success: 'true', error: '' });
    expect(holder('/Public/Team/a.txt')).toBeUndefined();
    expect(await unlock('/Public/Team/a.txt')).toEqual({ success: 'true', error: '' });
  });

  it('refuses an upload onto another user\'s lock; the holder uploads, and keeps the lock (C46)', async () => {
    await lock('/Public/Team/b.txt');
    const handler = await stage(env.emulator.url, other, Buffer.from('theirs'));
    const refused = await soap(env.emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', other], ['path', '/Public/Team/b.txt'], ['uploadHandler', handler]]);
    expect(refused.result.attrs).toEqual({ success: 'false', error: 'Document is checked out by demo.' });
    expect(env.emulator.state().uploadHandlers).toEqual([]);
    await uploadDocument(env.emulator.url, env.ticket, '/Public/Team/b.txt', Buffer.from('mine'));
    expect(holder('/Public/Team/b.txt')).toBe('demo');
  });

  it('refuses a missing path', async () => {
    expect((await lock('/Public/Team/none.txt')).attrs).toEqual({ success: 'false', error: 'Document or folder not found.' });
    expect(await unlock('/Public/None')).toEqual({ success: 'false', error: 'Document or folder not found.' });
  });
});

describe('Lock of a folder', () => {
  it('locks what it can and logs each refusal under the result, error="[log]" (C45); UnLock releases the caller\'s', async () => {
    await lock('/Public/Team/b.txt', other);
    const result = await lock('/Public/Team');
    expect(result.xml).toBe('<response xmlns="" success="false" error="[log]"><log><item>b.txt</item><error>Document is checked out by jsmith.</error></log></response>');
    expect(['a.txt', 'b.txt', 'c.txt'].map((name) => holder(`/Public/Team/${name}`))).toEqual(['demo', 'jsmith', 'demo']);
    expect(await unlock('/Public/Team')).toEqual({ success: 'true', error: '' });
    expect(['a.txt', 'b.txt', 'c.txt'].map((name) => holder(`/Public/Team/${name}`))).toEqual([undefined, 'jsmith', undefined]);
    await unlock('/Public/Team/b.txt', other);
    expect((await lock('/Public/Team')).attrs).toEqual({ success: 'true', error: '' });
    await unlock('/Public/Team');
  });
});

describe('GetCheckedoutDocuments', () => {
  it("lists the caller's checkouts only, by name, with their folder backslash-separated", async () => {
    await lock('/Public/Team/c.txt');
    await lock('/Public/Team/a.txt');
    await lock('/Public/Team/b.txt', other);
    const mine = await checkouts();
    const documents = [...mine.xml.matchAll(/<document ([^>]*) \/>/g)].map((m) => Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
    expect(documents.map((d) => d['Name'])).toEqual(['a.txt', 'c.txt']);
    expect(documents[0]).toMatchObject({ Path: '\\Public\\Team', CheckoutBy: 'demo', CheckoutByUserName: 'demo', Size: '5', VersionNumber: '1', VersionCount: '1', IsShortcut: 'FALSE' });
    expect(documents[0]?.['CheckoutDate']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect([...(await checkouts(other)).xml.matchAll(/ Name="([^"]*)"/g)].map((m) => m[1])).toEqual(['b.txt']);
    const listing = await soap(env.emulator.url, 'GetFoldersAndDocuments1', [['authenticationTicket', env.ticket], ['Path', '/Public/Team']]);
    expect(listing.result.xml).toMatch(/<d [^>]*n="b\.txt"[^>]*chkoutbyusername="jsmith" chkoutbyfullname="jsmith"/);
    await unlock('/Public/Team');
    await unlock('/Public/Team', other);
    expect((await checkouts()).xml).toBe('<response xmlns="" success="true" error="" />');
  });
});

describe('locks and deletion (C53)', () => {
  it("refuse DeleteDocumentVersion under another user's lock, not the holder's; DeleteDocument clears the lock", async () => {
    await uploadDocument(env.emulator.url, env.ticket, '/Public/Team/d.txt', Buffer.from('1'));
    await uploadDocument(env.emulator.url, env.ticket, '/Public/Team/d.txt', Buffer.from('2'));
    await lock('/Public/Team/d.txt', other);
    const deleteVersion = (ticket: string) =>
      soap(env.emulator.url, 'DeleteDocumentVersion', [['authenticationTicket', ticket], ['DocumentPath', '/Public/Team/d.txt'], ['VersionNumber', '1000000']]).then((r) => r.result.attrs);
    expect(await deleteVersion(env.ticket)).toEqual({ success: 'false', error: 'Checked out by another user' });
    expect(await deleteVersion(other)).toEqual({ success: 'true' });
    expect((await soap(env.emulator.url, 'DeleteDocument', [['authenticationTicket', env.ticket], ['Path', '/Public/Team/d.txt']])).result.attrs).toEqual({ success: 'true' });
    expect(env.emulator.state().recycleBin.find((d) => d.path === '/Public/Team/d.txt')?.checkedOutBy).toBeUndefined();
    expect((await checkouts(other)).xml).not.toContain('d.txt');
  });
});
