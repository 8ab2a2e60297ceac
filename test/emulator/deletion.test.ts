// DeleteDocument (to the recycle bin) and DeleteDocumentVersion (for good) over raw HTTP: exact
// parameter names, the documented replies and error strings, and what the emulator decides where
// the docs are silent (C53: the only version, a later upload to a deleted document's path).
import { postForm, resultOf, soap, uploadDocument, useEmulator } from './helpers.js';

const env = useEmulator();

const call = (op: string, params: [string, string][]) =>
  soap(env.emulator.url, op, [['authenticationTicket', env.ticket], ...params]).then((reply) => reply.result);
const documentAt = (path: string) => env.emulator.state().documents.find((d) => d.path === path);

describe('DeleteDocument', () => {
  it('moves the document to the recycle bin, content kept, and answers <root success="true" />', async () => {
    await uploadDocument(env.emulator.url, env.ticket, '/Public/old.txt', Buffer.from('one'));
    await uploadDocument(env.emulator.url, env.ticket, '/Public/old.txt', Buffer.from('two'));
    const { documentId } = documentAt('/Public/old.txt') ?? { documentId: 0 };
    const result = await call('DeleteDocument', [['Path', '/Public/old.txt']]);
    expect(result.xml).toBe('<root xmlns="" success="true" />');
    expect(documentAt('/Public/old.txt')).toBeUndefined();
    const [recycled] = env.emulator.state().recycleBin;
    expect(recycled).toMatchObject({ path: '/Public/old.txt', documentId, deletedBy: 'demo' });
    expect(recycled?.versions.map((v) => v.versionNumber)).toEqual([1000000, 2000000]);
    expect((await call('DocumentExists', [['Path', '/Public/old.txt']])).attrs).toEqual({ success: 'false', error: 'Document not found' });
  });

  it('leaves the path free: a later upload makes a new document (C53)', async () => {
    await uploadDocument(env.emulator.url, env.ticket, '/Public/again.txt', Buffer.from('first life'));
    const before = documentAt('/Public/again.txt')?.documentId;
    expect((await call('DeleteDocument', [['Path', '/Public/again.txt']])).attrs).toEqual({ success: 'true' });
    await uploadDocument(env.emulator.url, env.ticket, '/Public/again.txt', Buffer.from('second life'));
    const after = documentAt('/Public/again.txt');
    expect(after?.documentId).not.toBe(before);
    expect(after?.versions.map((v) => v.versionNumber)).toEqual([1000000]);
  });

  it.each([
    ['a missing document', '/Public/none.txt'],
    ['a folder', '/Public'],
    ['a ~D path, which its page does not name (C49)', '~D1'],
  ])('refuses %s: "Document not found"', async (_what, path) => {
    expect((await call('DeleteDocument', [['Path', path]])).xml).toBe('<root xmlns="" success="false" error="Document not found" />');
  });

  it('binds Path exactly over SOAP, and answers the bare <root> over POST', async () => {
    await uploadDocument(env.emulator.url, env.ticket, '/Public/form.txt', Buffer.from('x'));
    expect((await call('DeleteDocument', [['path', '/Public/form.txt']])).attrs.error).toBe('Document not found');
    const reply = await postForm(env.emulator.url, 'DeleteDocument', [['authenticationTicket', env.ticket], ['Path', '/Public/form.txt']]);
    expect(reply.body).toBe('<?xml version="1.0" encoding="utf-8"?><root success="true" />');
    expect(resultOf(reply.body).attrs).toEqual({ success: 'true' });
  });
});

describe('DeleteDocumentVersion', () => {
  const deleteVersion = (path: string, number: string, ticket = env.ticket) =>
    soap(env.emulator.url, 'DeleteDocumentVersion', [['authenticationTicket', ticket], ['DocumentPath', path], ['VersionNumber', number]]).then((r) => r.result.attrs);

  beforeAll(async () => {
    for (const content of ['v1', 'v2', 'v3']) await uploadDocument(env.emulator.url, env.ticket, '/Public/versions.txt', Buffer.from(content));
  });

  it('deletes one version and its content for good; the numbers of the others stay', async () => {
    expect(await deleteVersion('/Public/versions.txt', '2000000')).toEqual({ success: 'true' });
    expect(documentAt('/Public/versions.txt')?.versions.map((v) => v.versionNumber)).toEqual([1000000, 3000000]);
    await expect(env.emulator.readDocument('/Public/versions.txt', 3000000)).resolves.toEqual(Buffer.from('v3'));
    expect(await deleteVersion('/Public/versions.txt', '2000000')).toEqual({ success: 'false', error: 'Version not found' });
  });

  it('never gives a deleted number again: the next upload after deleting the latest is 4000000', async () => {
    expect(await deleteVersion('/Public/versions.txt', '3000000')).toEqual({ success: 'true' });
    await uploadDocument(env.emulator.url, env.ticket, '/Public/versions.txt', Buffer.from('v4'));
    expect(documentAt('/Public/versions.txt')?.versions.map((v) => v.versionNumber)).toEqual([1000000, 4000000]);
  });

  it('refuses a number below 1000000 at once, before the ticket is looked at', async () => {
    expect(await deleteVersion('/Public/versions.txt', '1', '')).toEqual({ success: 'false', error: 'Invalid version number.' });
    expect(await deleteVersion('/Public/versions.txt', '0')).toEqual({ success: 'false', error: 'Invalid version number.' });
    expect(await deleteVersion('/Public/versions.txt', '1000000', '')).toEqual({ success: 'false', error: '[900] Authentication failed' });
  });

  it('refuses the only version (C53) and a missing document', async () => {
    await uploadDocument(env.emulator.url, env.ticket, '/Public/single.txt', Buffer.from('only'));
    expect(await deleteVersion('/Public/single.txt', '1000000')).toEqual({ success: 'false', error: 'The only version of a document cannot be deleted; delete the document instead.' });
    expect(await deleteVersion('/Public/none.txt', '1000000')).toEqual({ success: 'false', error: 'Document not found' });
  });
});
