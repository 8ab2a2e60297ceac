// Cases a hostile test found in the session and the transfers: handlers leaked by malformed grants,
// absurd chunk sizes, tickets the caller owns, doubled message prefixes.
import { Writable } from 'node:stream';
import nock from '../helpers/nock.js';
import { SrvSession, MalformedReplyError, SrvError, TicketExpiredError } from '../../src/index.js';
import { FakeSrv, ok, serviceWith, type SrvRequest } from '../helpers/fake-srv.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const BASE = 'http://srv.test';
const URL = `${BASE}/srv.asmx`;
const HANDLER = '11111111-1111-4111-8111-000000000001';

async function session(): Promise<SrvSession> {
  return SrvSession.login({ url: URL, user: 'demo', password: 'demo', retry: FAST_RETRY });
}

const grantWith = (chunkSize: string) => (call: SrvRequest) =>
  call.op === 'CreateUploadHandler' ? ok({ UploadHandler: HANDLER, ChunkSize: chunkSize }) : undefined;

describe('malformed and absurd grants', () => {
  test.each(['abc', '1', '2147483648', '1e20', '-5'])('an upload grant with ChunkSize="%s" is refused once, and its handler deleted', async (chunkSize) => {
    const service = serviceWith({}, grantWith(chunkSize));
    const s = await session();
    const error = await s.upload(Buffer.alloc(1000), '/Public/a.bin').catch((e: unknown) => e);
    await s.close();
    expect(error).toBeInstanceOf(MalformedReplyError);
    expect((error as Error).message).toMatch(/CreateUploadHandler: the reply's .*ChunkSize/);
    expect(service.calls('CreateUploadHandler')).toHaveLength(1);
    expect(service.calls('DeleteUploadHandler').map((c) => c.params['UploadHandler'])).toEqual([HANDLER]);
    expect(service.calls('UploadFileChunk')).toHaveLength(0);
  });

  test.each(['1', '2147483648', '-1'])('a download grant with ChunkSize="%s" is refused once, and its handler deleted', async (chunkSize) => {
    const service = serviceWith({}, (call) =>
        call.op === 'GetDownloadHandler' ? ok({ downloadhandler: HANDLER, Size: '1000000', ChunkSize: chunkSize, CRC32: '0' }) : undefined,
    );
    const s = await session();
    const error = await s.download('/Public/a.bin', new Writable({ write: (_c, _e, done) => done() })).catch((e: unknown) => e);
    await s.close();
    expect(error).toBeInstanceOf(MalformedReplyError);
    expect(service.calls('GetDownloadHandler')).toHaveLength(1);
    expect(service.calls('DeleteDownloadHandler').map((c) => c.params['DownloadHandler'])).toEqual([HANDLER]);
    expect(service.calls('DownloadFileChunk')).toHaveLength(0);
  });

  test('a download over 2 GiB is refused with a message about the service, not an argument', async () => {
    serviceWith({}, (call) => (call.op === 'GetDownloadHandler' ? ok({ downloadhandler: HANDLER, Size: '2147483648', ChunkSize: '4194304' }) : undefined));
    const s = await session();
    const error = await s.download('/Public/big.iso', new Writable({ write: (_c, _e, done) => done() })).catch((e: unknown) => e);
    await s.close();
    expect(error).toBeInstanceOf(SrvError);
    expect(error).not.toHaveProperty('argument');
    expect((error as Error).message).toBe("download: /Public/big.iso is 2147483648 bytes, but the service's int offsets cannot address more than 2147483647 bytes (2 GiB), so it cannot be downloaded");
  });
});

test('a finalize answered with success and no DocumentId is a success, never repeated', async () => {
  const service = serviceWith({}, (call) => (call.op === 'UploadDocumentWithHandler' ? ok() : undefined));
  const s = await session();
  const result = await s.upload(Buffer.alloc(1000, 1), '/Public/no-id.bin');
  await s.close();
  expect(result).toMatchObject({ documentId: undefined, versionId: undefined, confirmation: 'finalize-reply', restarts: 0 });
  expect(service.calls('UploadDocumentWithHandler')).toHaveLength(1);
  expect(service.calls('CreateUploadHandler')).toHaveLength(1);
});

test('without filehexcrc, a stored document whose CRC-32 cannot be checked is reported as stored and unchecked', async () => {
  const service = serviceWith({ fileHexCrc: false }, (call) => (call.op === 'DocumentExists' ? { status: 503, body: '<html>503</html>' } : undefined));
  const s = await SrvSession.login({ url: URL, user: 'demo', password: 'demo', retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
  const error = await s.upload(Buffer.alloc(1000, 3), '/Public/unchecked.bin').catch((e: unknown) => e);
  await s.close();
  expect(error).toBeInstanceOf(SrvError);
  expect((error as Error).message).toMatch(/^\/Public\/unchecked\.bin was stored, but its CRC-32 could not be checked \(the server reports no filehexcrc\): DocumentExists: the HTTP 503 reply/);
  expect(service.calls('UploadDocumentWithHandler')).toHaveLength(1);
});

describe('tickets', () => {
  test('a ticket passed in belongs to the caller: close() does not log it out', async () => {
    const service = new FakeSrv();
    const borrowed = await SrvSession.fromTicket({ url: URL, ticket: HANDLER });
    await borrowed.exists('/Public/a.bin');
    await borrowed.close();
    expect(service.calls('LogOut')).toHaveLength(0);
    const owned = await SrvSession.fromTicket({ url: URL, ticket: HANDLER, logOutOnClose: true });
    await owned.close();
    expect(service.calls('LogOut')).toHaveLength(1);
  });

  test('a dead ticket without credentials names the operation once', async () => {
    nock(BASE)
      .post('/srv.asmx')
      .reply(200, '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><DocumentExistsResponse xmlns="http://tempuri.org/"><DocumentExistsResult><response success="false" error="[901] Session expired or Invalid ticket"/></DocumentExistsResult></DocumentExistsResponse></soap:Body></soap:Envelope>', { 'Content-Type': 'text/xml' });
    const borrowed = await SrvSession.fromTicket({ url: URL, ticket: HANDLER });
    const error = await borrowed.exists('/Public/a.bin').catch((e: unknown) => e);
    borrowed.client.close();
    expect(error).toBeInstanceOf(TicketExpiredError);
    expect((error as Error).message).toBe('DocumentExists failed: [901] Session expired or Invalid ticket; the session has no credentials to log in again');
  });
});
