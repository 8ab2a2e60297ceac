// The session's document operations of issue 23 against the emulator in every profile: listings
// page by page, versions by their Number, download info, deletion, locks, the upload limits and
// the other logins. What a `minimal` server leaves out is undefined, never guessed.
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  AuthenticationError,
  CheckedOutError,
  InvalidArgumentError,
  NotFoundError,
  SrvSession,
  TicketNotAllowedError,
  UploadTooLargeError,
  type ExchangeRecord,
} from '../../src/index.js';
import { crc32, crcToHex } from '../../src/integrity/crc32.js';
import { PROFILES } from '../helpers/profiles.js';

const crc32Hex = (bytes: Buffer) => crcToHex(crc32(bytes));
const RETRY = { retries: 1, minDelayMs: 1, maxDelayMs: 2 };

const USERS = [
  { user: 'demo', password: 'demo' },
  { user: 'bob', password: 'bob' },
  { user: 'admin', password: 'admin' },
];

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  let session: SrvSession;
  const exchanges: ExchangeRecord[] = [];
  const minimal = profile === 'minimal';

  const login = (user = 'demo') => SrvSession.login({ url: emulator.url, user, password: user, retry: RETRY, onExchange: (record) => exchanges.push(record) });
  const operations = () => exchanges.map((record) => record.operation);

  beforeEach(async () => {
    exchanges.length = 0;
    emulator = await startEmulator({ profile, users: USERS, trustedUserPassword: 'shared-secret', sysadminAccount: 'admin', uploadLimit: 2_000_000 });
    session = await login();
  });
  afterEach(async () => {
    await session.close();
    await emulator.close();
  });

  describe('list', () => {
    test('reads a folder of 45 children page by page, stopping at the first empty page', async () => {
      await session.ensureFolder('/Public/many/sub');
      for (let i = 0; i < 44; i += 1) await session.upload(Buffer.from(`file ${i}`), `/Public/many/f${String(i).padStart(2, '0')}.txt`);
      exchanges.length = 0;
      const entries = [];
      for await (const entry of session.list('/Public/many')) entries.push(entry);
      expect(entries).toHaveLength(45);
      expect(entries.filter((e) => e.kind === 'folder').map((e) => e.path)).toEqual(['/Public/many/sub']);
      expect(entries.find((e) => e.name === 'f07.txt')).toMatchObject({ kind: 'document', path: '/Public/many/f07.txt' });
      // 20 + 20 + 5, then the empty page that ends it.
      expect(operations()).toEqual(Array(4).fill('GetFoldersAndDocumentsByPage'));
    });

    test('a loop that stops early reads no further page', async () => {
      for (let i = 0; i < 25; i += 1) await session.upload(Buffer.from('x'), `/Public/f${i}.txt`);
      exchanges.length = 0;
      for await (const entry of session.list('/Public')) if (entry.name !== '') break;
      expect(operations()).toEqual(['GetFoldersAndDocumentsByPage']);
    });

    test('filters by name, as the server does', async () => {
      await session.upload(Buffer.from('a'), '/Public/report-a.pdf');
      await session.upload(Buffer.from('b'), '/Public/notes.txt');
      const names = [];
      for await (const entry of session.list('/Public', { documentFilter: 'REPORT' })) names.push(entry.name);
      expect(names).toEqual(['report-a.pdf']);
    });

    test('a missing folder, or a document given for a folder, is a NotFoundError', async () => {
      await session.upload(Buffer.from('a'), '/Public/a.txt');
      const first = (folder: string) => session.list(folder).next();
      await expect(first('/Public/none')).rejects.toBeInstanceOf(NotFoundError);
      await expect(first('/Public/a.txt')).rejects.toBeInstanceOf(NotFoundError);
      await expect(first('')).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    test('listDetails reports a document’s size, version count and lock holder where the server does', async () => {
      await session.upload(Buffer.from('hello'), '/Public/d.txt');
      await session.upload(Buffer.from('hello again'), '/Public/d.txt');
      await session.lock('/Public/d.txt');
      const [entry] = await session.listDetails('/Public');
      expect(entry).toMatchObject({ kind: 'document', name: 'd.txt', path: '/Public/d.txt' });
      if (minimal) expect(entry).toMatchObject({ size: undefined, versionCount: undefined, checkedOutBy: undefined });
      else expect(entry).toMatchObject({ size: 11, versionCount: 2, checkedOutBy: 'demo', modified: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    });
  });

  describe('versions and info', () => {
    test('lists versions oldest first by Number, and info reads the latest or one of them', async () => {
      const one = randomBytes(1_000);
      const two = randomBytes(2_000);
      await session.upload(one, '/Public/v.bin');
      await session.upload(two, '/Public/v.bin');
      const versions = await session.versions('/Public/v.bin');
      expect(versions.map((v) => v.number)).toEqual([1_000_000, 2_000_000]);
      expect(versions[0]?.size).toBe(minimal ? undefined : 1_000);
      await expect(session.info('/Public/v.bin')).resolves.toMatchObject({ path: '/Public/v.bin', size: 2_000, crc32: crc32Hex(two), versionNumber: 0 });
      await expect(session.info('/Public/v.bin', { version: versions[0]?.number ?? 0 })).resolves.toMatchObject({ size: 1_000, crc32: crc32Hex(one), versionNumber: 1_000_000 });
    });

    test('a version that does not exist is a NotFoundError; a number no version can have is refused unsent', async () => {
      await session.upload(Buffer.from('x'), '/Public/v.txt');
      await expect(session.info('/Public/v.txt', { version: 7_000_000 })).rejects.toBeInstanceOf(NotFoundError);
      exchanges.length = 0;
      await expect(session.info('/Public/v.txt', { version: 2 })).rejects.toThrow(/version is 2: version numbers are 1000000, 2000000/);
      await expect(session.versions('/Public/none.txt')).rejects.toBeInstanceOf(NotFoundError);
      expect(operations()).toEqual(['GetDocumentVersions']);
    });

    test('a folder given for a document is a NotFoundError', async () => {
      await expect(session.versions('/Public')).rejects.toBeInstanceOf(NotFoundError);
      await expect(session.info('/Public')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('delete', () => {
    test('a version goes for good and the others stay; the document goes to the recycle bin', async () => {
      await session.upload(Buffer.from('one'), '/Public/del.txt');
      await session.upload(Buffer.from('two'), '/Public/del.txt');
      await session.delete('/Public/del.txt', { version: 1_000_000 });
      expect((await session.versions('/Public/del.txt')).map((v) => v.number)).toEqual([2_000_000]);
      await expect(session.delete('/Public/del.txt', { version: 1_000_000 })).rejects.toBeInstanceOf(NotFoundError);
      await session.delete('/Public/del.txt');
      await expect(session.exists('/Public/del.txt')).resolves.toBeUndefined();
      expect(emulator.state().recycleBin).toHaveLength(1);
      await expect(session.delete('/Public/del.txt')).rejects.toBeInstanceOf(NotFoundError);
      await expect(session.delete('/Public/x.txt', { version: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('locks', () => {
    test('a lock stops another user’s upload with a CheckedOutError naming the holder, and leaves no handler; unlock frees it', async () => {
      await session.upload(Buffer.from('mine'), '/Public/locked.txt');
      await session.lock('/Public/locked.txt');
      const bob = await login('bob');
      try {
        const error = await bob.upload(Buffer.from('theirs'), '/Public/locked.txt').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CheckedOutError);
        expect((error as Error).message).toMatch(/checked out by demo/);
        expect(emulator.state().uploadHandlers).toEqual([]);
        await expect(bob.unlock('/Public/locked.txt')).rejects.toBeInstanceOf(CheckedOutError);
        await expect(bob.lock('/Public/locked.txt')).rejects.toBeInstanceOf(CheckedOutError);
        // The holder's own upload keeps the lock.
        await session.upload(Buffer.from('mine again'), '/Public/locked.txt');
        await session.unlock('/Public/locked.txt');
        await expect(bob.upload(Buffer.from('theirs'), '/Public/locked.txt')).resolves.toMatchObject({ bytes: 6 });
      } finally {
        await bob.close();
      }
    });

    test('upload { lock: true } holds the lock from before its first chunk to after its finalize, and frees it; another user’s lock fails it before any handler', async () => {
      await session.upload(Buffer.from('v1'), '/Public/held.txt');
      exchanges.length = 0;
      await session.upload(Buffer.from('v2'), '/Public/held.txt', { lock: true });
      const ops = exchanges.map((e) => e.operation);
      expect(ops.indexOf('Lock')).toBeLessThan(ops.indexOf('CreateUploadHandler'));
      expect(ops.lastIndexOf('UnLock')).toBeGreaterThan(ops.findLastIndex((op) => op.startsWith('UploadDocument')));
      const bob = await login('bob');
      try {
        await bob.lock('/Public/held.txt'); // free again: bob can take it
        exchanges.length = 0;
        const error = await session.upload(Buffer.from('v3'), '/Public/held.txt', { lock: true }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CheckedOutError);
        expect(exchanges.map((e) => e.operation)).not.toContain('CreateUploadHandler');
        expect(emulator.state().uploadHandlers).toEqual([]);
        await bob.unlock('/Public/held.txt');
      } finally {
        await bob.close();
      }
      // A new document has nothing to lock: it is uploaded as it is.
      await expect(session.upload(Buffer.from('new'), '/Public/fresh.txt', { lock: true })).resolves.toMatchObject({ bytes: 3 });
    });

    test('locking a document that does not exist is a NotFoundError', async () => {
      await expect(session.lock('/Public/none.txt')).rejects.toBeInstanceOf(NotFoundError);
      await expect(session.unlock('/Public/none.txt', { force: 'yes' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('limits', () => {
    test('are read once per session; an upload past the smaller is refused before any handler', async () => {
      const limits = await session.limits();
      if (minimal) {
        expect(limits).toEqual({ fileUploadLimit: undefined, documentMaxSize: undefined, maxUploadSize: undefined });
      } else {
        expect(limits).toEqual({ fileUploadLimit: 2_000_000, documentMaxSize: 1_073_741_824, maxUploadSize: 2_000_000 });
      }
      exchanges.length = 0;
      await session.limits();
      const error = await session.upload(Buffer.alloc(2_000_001), '/Public/big.bin').catch((e: unknown) => e);
      if (minimal) {
        // A server that tells no limit enforces its own, at the finalize.
        expect(error).toBeInstanceOf(Error);
        expect(operations()).toContain('CreateUploadHandler');
      } else {
        expect(error).toBeInstanceOf(UploadTooLargeError);
        expect(error).toMatchObject({ size: 2_000_001, limit: 2_000_000, setting: 'FILEUPLOADLIMIT' });
        expect((error as Error).message).toMatch(/2000001 bytes, larger than the server's FILEUPLOADLIMIT of 2000000 bytes; nothing was sent/);
        expect(operations()).toEqual([]);
      }
      expect(emulator.state().uploadHandlers).toEqual([]);
      await expect(session.upload(Buffer.alloc(2_000_000), '/Public/fits.bin')).resolves.toMatchObject({ bytes: 2_000_000 });
    });

    test('a server that cannot answer the limit calls is not a reason to fail: the check is skipped', async () => {
      emulator.faults.add({ op: 'getApplicationParameters', kind: 'systemError' });
      emulator.faults.add({ op: 'GetGeneralAppSettings', kind: 'http500' });
      await expect(session.limits()).resolves.toEqual({ fileUploadLimit: undefined, documentMaxSize: undefined, maxUploadSize: undefined });
      await expect(session.upload(Buffer.alloc(1_000), '/Public/small.bin')).resolves.toMatchObject({ bytes: 1_000 });
    });
  });

  describe('other logins', () => {
    test('loginTrusted acts as the user, and never shows the secret', async () => {
      const trusted = await SrvSession.loginTrusted({ url: emulator.url, user: 'bob', trustedPassword: 'shared-secret', onExchange: (record) => exchanges.push(record) });
      try {
        expect(trusted.user).toBe('bob');
        await trusted.upload(Buffer.from('by bob'), '/Public/bob.txt');
        await trusted.lock('/Public/bob.txt');
        // A dead ticket: the kept secret logs in again.
        emulator.faults.add({ op: 'GetDocumentVersions', kind: 'expireTicket', times: 1 });
        await expect(trusted.versions('/Public/bob.txt')).resolves.toHaveLength(1);
        expect(emulator.state().documents.find((d) => d.path === '/Public/bob.txt')?.checkedOutBy).toBe('bob');
      } finally {
        await trusted.close();
      }
      expect(JSON.stringify(exchanges)).not.toContain('shared-secret');
      const wrong = await SrvSession.loginTrusted({ url: emulator.url, user: 'bob', trustedPassword: 'guess' }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(AuthenticationError);
      expect((wrong as Error).message).not.toContain('guess');
      await expect(SrvSession.loginTrusted({ url: emulator.url, user: 'admin', trustedPassword: 'shared-secret' })).rejects.toBeInstanceOf(TicketNotAllowedError);
      await expect(SrvSession.loginTrusted({ url: emulator.url, user: 'bob', trustedPassword: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    test('loginWindows needs NTLM or Negotiate, and a host without Windows authentication refuses it with [900]', async () => {
      await expect(SrvSession.loginWindows({ url: emulator.url })).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'auth' });
      const error = await SrvSession.loginWindows({ url: emulator.url, auth: { type: 'ntlm', user: 'DOMAIN\\bob', password: 'windows-secret' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).not.toContain('windows-secret');
    });
  });
});
