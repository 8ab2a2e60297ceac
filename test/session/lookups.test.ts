// session.exists, folderExists and ensureFolder against a scripted service: what exists, what does not, and
// what is an error that must not be mistaken for either.
import '../helpers/nock.js';
import { InvalidArgumentError, NotFoundError, ServiceError } from '../../src/errors.js';
import type { SrvSession } from '../../src/session/session.js';
import { FakeSrv, TICKET_EXPIRED, fail, ok, type Reply } from '../helpers/fake-srv.js';

const DOC = '/Public/reports/q1.pdf';
const FOLDER = '/Public/reports/2025';

let srv: FakeSrv;
let session: SrvSession;

beforeEach(async () => {
  srv = new FakeSrv();
  session = await srv.login();
});
afterEach(() => {
  session.client.close();
});

/** Answers `op` with the replies in turn. */
function answer(op: string, ...replies: Reply[]): void {
  srv.intercept((request, nth) => (request.op === op ? replies[nth - 1] : undefined));
}

const opsCalled = () => srv.requests.map((r) => r.op).filter((op) => op !== 'AuthenticateUser');

describe('documentExists', () => {
  test('returns both CRC-32s as 8 lower-case hex digits, whatever their case and padding', async () => {
    answer('DocumentExists', ok({ CRC32LASTVERSION: 'A3F1C29D', CRC32: 'c29d' }));
    await expect(session.exists(DOC)).resolves.toEqual({ crc32LastVersion: 'a3f1c29d', crc32Published: '0000c29d' });
    expect(srv.calls('DocumentExists')[0]?.params).toEqual({ authenticationTicket: 'ticket-1', Path: DOC });
  });

  test('an empty CRC32 means nothing is published', async () => {
    answer('DocumentExists', ok({ CRC32LASTVERSION: '0', CRC32: '' }));
    await expect(session.exists(DOC)).resolves.toEqual({ crc32LastVersion: '00000000', crc32Published: undefined });
  });

  test.each(['Document not found', 'Folder not found'])('"%s" means it does not exist', async (error) => {
    answer('DocumentExists', fail(error));
    await expect(session.exists(DOC)).resolves.toBeUndefined();
  });

  test('any other failure is an error, not "does not exist"', async () => {
    answer('DocumentExists', fail('InvalidDocumentIdentifer'));
    const error = await session.exists('~F12').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).not.toBeInstanceOf(NotFoundError);
  });

  test('a dead ticket logs in again and asks again', async () => {
    answer('DocumentExists', fail(TICKET_EXPIRED), ok({ CRC32LASTVERSION: '1' }));
    await expect(session.exists(DOC)).resolves.toEqual({ crc32LastVersion: '00000001', crc32Published: undefined });
    expect(srv.calls('DocumentExists').map((r) => r.params['authenticationTicket'])).toEqual(['ticket-1', 'ticket-2']);
  });

  test('a CRC that is not hex is an unexpected reply', async () => {
    answer('DocumentExists', ok({ CRC32LASTVERSION: 'xyz' }));
    await expect(session.exists(DOC)).rejects.toMatchObject({ name: 'MalformedReplyError', message: expect.stringMatching(/CRC32LASTVERSION "xyz"/) });
  });
});

describe('ensureFolder', () => {
  test('an existing folder is left alone', async () => {
    answer('FolderExists', ok());
    await session.ensureFolder(FOLDER);
    expect(opsCalled()).toEqual(['FolderExists']);
  });

  test('a missing folder (FolderExists answers without success) is created', async () => {
    answer('FolderExists', { attributes: { error: 'Folder not found.' } });
    answer('CreateFolder', ok({ FolderId: '42', FolderName: '2025' }));
    await session.ensureFolder(FOLDER);
    expect(opsCalled()).toEqual(['FolderExists', 'CreateFolder']);
    expect(srv.calls('CreateFolder')[0]?.params['Path']).toBe(FOLDER);
  });

  test('a CreateFolder that fails because the folder appeared meanwhile is a success', async () => {
    answer('FolderExists', fail('Folder not found.'), ok());
    answer('CreateFolder', fail('Folder already exists'));
    await session.ensureFolder(FOLDER);
    expect(opsCalled()).toEqual(['FolderExists', 'CreateFolder', 'FolderExists']);
  });

  test('a CreateFolder that fails with the folder still missing reports the CreateFolder error', async () => {
    answer('FolderExists', fail('Folder not found.'), fail('Folder not found.'));
    answer('CreateFolder', fail('Access denied'));
    await expect(session.ensureFolder(FOLDER)).rejects.toMatchObject({ operation: 'CreateFolder', serverMessage: 'Access denied' });
  });

  test('a FolderExists failure other than "not found" is an error, and nothing is created', async () => {
    answer('FolderExists', fail('Access denied'));
    await expect(session.ensureFolder(FOLDER)).rejects.toMatchObject({ operation: 'FolderExists', serverMessage: 'Access denied' });
    expect(opsCalled()).toEqual(['FolderExists']);
  });
});

test('folderExists tells a missing folder from an existing one', async () => {
  answer('FolderExists', ok(), { attributes: { error: 'Folder not found.' } });
  await expect(session.folderExists(FOLDER)).resolves.toBe(true);
  await expect(session.folderExists(FOLDER)).resolves.toBe(false);
});

test.each([
  ['documentExists', () => session.exists('')],
  ['folderExists', () => session.folderExists(' ')],
  ['ensureFolder', () => session.ensureFolder('')],
])('%s refuses an empty path before sending anything', async (_name, call) => {
  const error = await call().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect(error).toMatchObject({ argument: 'path' });
  expect(opsCalled()).toEqual([]);
});
