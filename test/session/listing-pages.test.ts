// session.list against a scripted server: ByPage tells no total and no last page (C47), so the
// pages end at an empty one, or at one that repeats the page before (a server ignoring PageNumber).
import '../helpers/nock.js';
import type { SrvSession } from '../../src/session/session.js';
import { FakeSrv, soapReply } from '../helpers/fake-srv.js';

let srv: FakeSrv;
let session: SrvSession;

beforeEach(async () => {
  srv = new FakeSrv();
  session = await srv.login();
});
afterEach(() => {
  session.client.close();
});

const page = (names: string[]) => ({
  status: 200,
  contentType: 'text/xml; charset=utf-8',
  body: soapReply('GetFoldersAndDocumentsByPage', `<response xmlns="" success="true">${names.map((n) => `<document id="1" name="${n}"/>`).join('')}</response>`),
});

async function listed(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of session.list('/Public/')) names.push(entry.path);
  return names;
}

test('a server that answers every page number with the same page is read once', async () => {
  srv.intercept((request) => (request.op === 'GetFoldersAndDocumentsByPage' ? page(['a.txt', 'b.txt']) : undefined));
  await expect(listed()).resolves.toEqual(['/Public/a.txt', '/Public/b.txt']);
  expect(srv.calls('GetFoldersAndDocumentsByPage').map((r) => r.params['PageNumber'])).toEqual(['1', '2']);
});

test('pages are asked for in turn until one is empty, without the filters nobody gave', async () => {
  const pages = [['a.txt'], ['b.txt'], []];
  srv.intercept((request, nth) => (request.op === 'GetFoldersAndDocumentsByPage' ? page(pages[nth - 1] ?? []) : undefined));
  await expect(listed()).resolves.toEqual(['/Public/a.txt', '/Public/b.txt']);
  expect(srv.calls('GetFoldersAndDocumentsByPage').map((r) => r.params)).toEqual(
    ['1', '2', '3'].map((PageNumber) => ({ authenticationTicket: 'ticket-1', Path: '/Public/', PageNumber })),
  );
});
