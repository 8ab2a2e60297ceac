// The limit check before an upload, against a scripted server: the smaller of FILEUPLOADLIMIT and
// DocumentMaxSize refuses a file of known size before any call of the upload; the limits are asked
// once per session; a server that cannot answer them, or a stream, is not checked.
import { Readable } from 'node:stream';
import '../helpers/nock.js';
import { UploadTooLargeError } from '../../src/errors.js';
import type { SrvSession } from '../../src/session/session.js';
import { FakeSrv, ok, type Reply, type RawReply } from '../helpers/fake-srv.js';

let srv: FakeSrv;
let session: SrvSession;

beforeEach(async () => {
  srv = new FakeSrv();
  session = await srv.login();
});
afterEach(() => {
  session.client.close();
});

function answer(op: string, reply: Reply | RawReply): void {
  srv.intercept((request) => (request.op === op ? reply : undefined));
}

const opsCalled = () => srv.requests.map((r) => r.op).filter((op) => op !== 'AuthenticateUser');

function limits(fileUploadLimit: string, documentMaxSize: string): void {
  answer('getApplicationParameters', ok({ error: '' }, `<PARAMETERS><WEBDAV>TRUE</WEBDAV><FILEUPLOADLIMIT>${fileUploadLimit}</FILEUPLOADLIMIT></PARAMETERS>`));
  answer('GetGeneralAppSettings', ok({}, `<GeneralSettings><UploadSettings><DocumentMaxSize>${documentMaxSize}</DocumentMaxSize></UploadSettings></GeneralSettings>`));
}

test('the smaller limit refuses a larger Buffer before the folder is looked at or a handler made', async () => {
  limits('100', ' 50 ');
  const error = await session.upload(Buffer.alloc(51), '/Public/big.bin').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UploadTooLargeError);
  expect(error).toMatchObject({ path: '/Public/big.bin', size: 51, limit: 50, setting: 'DocumentMaxSize' });
  expect(opsCalled()).toEqual(['getApplicationParameters', 'GetGeneralAppSettings']);
  await session.upload(Buffer.alloc(50), '/Public/fits.bin');
  // Asked once per session.
  expect(opsCalled().filter((op) => op === 'getApplicationParameters')).toHaveLength(1);
  expect(opsCalled()).toContain('CreateUploadHandler');
});

test('a limit that is not a number, or 0, is unknown: the other one still counts', async () => {
  limits('unlimited', '40');
  await expect(session.limits()).resolves.toEqual({ fileUploadLimit: undefined, documentMaxSize: 40, maxUploadSize: 40 });
  await expect(session.upload(Buffer.alloc(41), '/Public/big.bin')).rejects.toMatchObject({ setting: 'DocumentMaxSize' });
});

test('replies that cannot be read are no reason to fail: the upload goes ahead', async () => {
  answer('getApplicationParameters', { status: 200, body: 'not a SOAP reply', contentType: 'text/xml' });
  answer('GetGeneralAppSettings', { status: 500, body: 'Unknown web method GetGeneralAppSettings.', contentType: 'text/plain' });
  await expect(session.upload(Buffer.alloc(1_000), '/Public/any.bin')).resolves.toMatchObject({ bytes: 1_000 });
  expect(opsCalled()).toContain('CreateUploadHandler');
});

test('a stream, whose size is not known before it is read, is not checked', async () => {
  limits('10', '10');
  await expect(session.upload(Readable.from([Buffer.alloc(20)]), '/Public/stream.bin', { spool: false })).resolves.toMatchObject({ bytes: 20 });
  expect(opsCalled()).not.toContain('getApplicationParameters');
});
