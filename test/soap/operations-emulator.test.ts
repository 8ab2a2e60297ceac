// The typed client against the emulator, in every server profile, over SOAP 1.1, SOAP 1.2 and HTTP
// POST: the operations of issue 23 beyond versions (versions-emulator.test.ts), each round trip
// ending in a typed result or the typed error of its refusal.
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  AccessDeniedError,
  AuthenticationError,
  CheckedOutError,
  createSrvClient,
  NotFoundError,
  ServiceError,
  TicketExpiredError,
  TicketNotAllowedError,
  type ExchangeRecord,
  type SrvClient,
} from '../../src/index.js';
import { crcHex, uploadDocument } from '../emulator/helpers.js';
import { unzip, zip } from '../helpers/zip.js';
import { PROFILES } from '../helpers/profiles.js';

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      profile,
      uploadLimit: 900_000_000,
      documentMaxSize: 50_000_000,
      users: [{ user: 'demo', password: 'demo' }, { user: 'other', password: 'pw' }, { user: 'admin', password: 'pw' }],
      sysadminAccount: 'admin',
      trustedUserPassword: 'server-secret',
    });
  });
  afterAll(() => emulator.close());

  describe.each(['soap11', 'soap12', 'http-post'] as const)('over %s', (binding) => {
    let client: SrvClient;
    let ticket: string;
    const folder = `/Public/${binding}`;
    beforeAll(async () => {
      client = await createSrvClient({ url: emulator.url, binding });
      ticket = (await client.AuthenticateUser({ UID: 'demo', PWD: 'demo' })).ticket;
      await client.CreateFolder({ authenticationTicket: ticket, Path: folder });
    });
    afterAll(() => client.close());

    const versionNumbers = async (path: string) =>
      (await client.GetDocumentVersions({ AuthenticationTicket: ticket, Path: path })).Versions.map((v) => v.Number).sort((a, b) => a - b);

    test('DeleteDocumentVersion deletes one version; DeleteDocument moves the document to the recycle bin', async () => {
      const path = `${folder}/delete.txt`;
      for (const content of ['one', 'two']) await uploadDocument(emulator.url, ticket, path, Buffer.from(content));
      await expect(client.DeleteDocumentVersion({ authenticationTicket: ticket, DocumentPath: path, VersionNumber: 1000000 })).resolves.toMatchObject({ success: true });
      expect(await versionNumbers(path)).toEqual([2000000]);
      await expect(client.DeleteDocumentVersion({ authenticationTicket: ticket, DocumentPath: path, VersionNumber: 1000000 })).rejects.toThrow(NotFoundError);
      await expect(client.DeleteDocumentVersion({ authenticationTicket: ticket, DocumentPath: path, VersionNumber: 5 })).rejects.toThrow(ServiceError);
      await expect(client.DeleteDocument({ authenticationTicket: ticket, Path: path })).resolves.toMatchObject({ success: true });
      expect(emulator.state().recycleBin.map((d) => d.path)).toContain(path);
      await expect(client.DeleteDocument({ authenticationTicket: ticket, Path: path })).rejects.toThrow(NotFoundError);
    });

    test('GetFoldersAndDocumentsByPage pages until an empty page; GetFoldersAndDocuments1 lists all at once', async () => {
      const listed = `${folder}/listed`;
      await client.CreateFolder({ authenticationTicket: ticket, Path: `${listed}/sub` });
      for (let i = 0; i < 21; i += 1) await uploadDocument(emulator.url, ticket, `${listed}/d${String(i).padStart(2, '0')}.txt`, Buffer.from(`${i}`));
      const names: string[] = [];
      for (let page = 1; ; page += 1) {
        const { folder: folders, document: documents } = await client.GetFoldersAndDocumentsByPage({ authenticationTicket: ticket, Path: listed, PageNumber: page });
        if (folders.length + documents.length === 0) break;
        names.push(...folders.map((f) => `${f.name}/`), ...documents.map((d) => d.name));
      }
      expect(names.sort()).toEqual([...Array.from({ length: 21 }, (_, i) => `d${String(i).padStart(2, '0')}.txt`), 'sub/']);
      const filtered = await client.GetFoldersAndDocumentsByPage({ authenticationTicket: ticket, Path: listed, DocumentFilter: 'D2', PageNumber: 1 });
      expect(filtered.document.map((d) => d.name)).toEqual(['d20.txt']);
      const all = await client.GetFoldersAndDocuments1({ authenticationTicket: ticket, Path: listed });
      expect([all.f.map((f) => f.n), all.d.length]).toEqual([['sub'], 21]);
      if (profile !== 'minimal') expect(all).toMatchObject({ itemcount: 22, path: listed, d: expect.arrayContaining([expect.objectContaining({ n: 'd00.txt', size: 1, version: 1 })]) });
      await expect(client.GetFoldersAndDocuments1({ authenticationTicket: ticket, Path: `${folder}/none` })).rejects.toThrow(NotFoundError);
      await expect(client.GetFoldersAndDocumentsByPage({ authenticationTicket: ticket, Path: `${folder}/none`, PageNumber: 1 })).rejects.toThrow(NotFoundError);
    });

    test('getApplicationParameters and GetGeneralAppSettings: the limits, typed; a minimal server names none', async () => {
      const parameters = await client.getApplicationParameters({ AuthenticationTicket: ticket });
      const settings = await client.GetGeneralAppSettings({ authenticationTicket: ticket });
      if (profile === 'minimal') {
        expect([parameters.PARAMETERS, settings.GeneralSettings]).toEqual([undefined, undefined]);
      } else {
        expect(parameters.PARAMETERS).toMatchObject({ FILEUPLOADLIMIT: 900_000_000, WEBDAV: false, SEARCHPAGESIZE: 20 });
        expect(settings.GeneralSettings).toMatchObject({
          UploadSettings: { DocumentMaxSize: 50_000_000, FileUploadTimeOut: 900, DefaultUploadFileChunkSize: 1_048_576 },
          ZipDownloadSetting: { Enabled: true, MaxTotalSize: 78_643_200, MaxTotalCount: 1000 },
          WebDav: false,
        });
      }
      await expect(client.getApplicationParameters({ AuthenticationTicket: '' })).rejects.toThrow(AccessDeniedError);
      await expect(client.GetGeneralAppSettings({ authenticationTicket: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' })).rejects.toThrow(TicketExpiredError);
    });

    test("Lock, GetCheckedoutDocuments, UnLock; another user's lock refuses Lock and UnLock as CheckedOutError", async () => {
      const path = `${folder}/locked.txt`;
      await uploadDocument(emulator.url, ticket, path, Buffer.from('locked'));
      const otherTicket = (await client.AuthenticateUser({ UID: 'other', PWD: 'pw' })).ticket;
      await expect(client.Lock({ AuthenticationTicket: ticket, Path: path })).resolves.toMatchObject({ success: true, log: [] });
      const { document } = await client.GetCheckedoutDocuments({ AuthenticationTicket: ticket, withpropertysets: false, withsecurity: false, withOwner: false, withVersions: false });
      const mine = document.find((d) => d.Name === 'locked.txt');
      expect(mine?.Path).toBe(folder.replace(/\//g, '\\'));
      if (profile !== 'minimal') expect(mine).toMatchObject({ CheckoutByUserName: 'demo', VersionCount: 1, IsShortcut: false });
      await expect(client.Lock({ AuthenticationTicket: otherTicket, Path: path })).rejects.toThrow(CheckedOutError);
      await expect(client.UnLock({ authenticationTicket: otherTicket, path, force: false })).rejects.toThrow(CheckedOutError);
      await expect(client.UnLock({ authenticationTicket: ticket, path, force: false })).resolves.toMatchObject({ success: true });
      await expect(client.Lock({ AuthenticationTicket: otherTicket, Path: path })).resolves.toMatchObject({ success: true });
      await client.UnLock({ authenticationTicket: otherTicket, path, force: false });
    });

    test('CreateTicketforUser: a ticket that works, its secret never in a record; AuthenticateUserViaWindows fails as [900] here', async () => {
      const records: ExchangeRecord[] = [];
      const onExchange = (record: ExchangeRecord) => void records.push(record);
      const { ticket: impersonated } = await client.CreateTicketforUser({ TrustedUserPwd: 'server-secret', UserName: 'other' }, { onExchange });
      await expect(client.isValidTicket({ AuthenticationTicket: impersonated })).resolves.toMatchObject({ success: true });
      expect(JSON.stringify(records)).not.toContain('server-secret');
      await expect(client.CreateTicketforUser({ TrustedUserPwd: 'wrong', UserName: 'other' })).rejects.toThrow(AuthenticationError);
      await expect(client.CreateTicketforUser({ TrustedUserPwd: 'server-secret', UserName: 'admin' })).rejects.toThrow(TicketNotAllowedError);
      await expect(client.AuthenticateUserViaWindows({ language: 'en' })).rejects.toThrow(AuthenticationError);
    });

    test('DownloadZipWithHandler stages an archive read with DownloadFileChunk; UploadZipWithHandler imports one', async () => {
      const zipped = `${folder}/zipped`;
      await client.CreateFolder({ authenticationTicket: ticket, Path: `${zipped}/in` });
      await uploadDocument(emulator.url, ticket, `${zipped}/in/one.txt`, Buffer.from('one'));
      const grant = await client.DownloadZipWithHandler({ authenticationTicket: ticket, Paths: `${zipped}/in|${zipped}/none.txt`, partialResult: true });
      if (profile !== 'minimal') expect(grant.log).toEqual([{ item: `${zipped}/none.txt`, error: 'Document or folder not found.' }]);
      const parts: Buffer[] = [];
      for (let offset = 0, last = false; !last; ) {
        const chunk = await client.DownloadFileChunk({ authenticationTicket: ticket, DownloadHandler: grant.downloadhandler, StartOffset: offset, ChunkSize: 262144 });
        parts.push(chunk.content);
        offset += chunk.content.length;
        last = chunk.lastchunk ?? chunk.content.length === 0;
      }
      await client.DeleteDownloadHandler({ authenticationTicket: ticket, DownloadHandler: grant.downloadhandler });
      expect(unzip(Buffer.concat(parts))).toEqual({ 'in/': '', 'in/one.txt': 'one' });
      await expect(client.DownloadZipWithHandler({ authenticationTicket: ticket, Paths: `${zipped}/none.txt`, partialResult: false })).rejects.toThrow(/\[log\] .*none\.txt: Document or folder not found\./);

      const archive = zip({ 'out/two.txt': 'two' });
      const { UploadHandler, ChunkSize } = await client.CreateUploadHandler({ authenticationTicket: ticket, PreferedChunkSize: 262144 });
      expect(archive.length).toBeLessThan(ChunkSize);
      await client.UploadFileChunk({ authenticationTicket: ticket, uploadHandler: UploadHandler, fileChunk: archive, chunkHEXCRC: crcHex(archive), lastChunk: true });
      const imported = await client.UploadZipWithHandler({ authenticationTicket: ticket, folderPath: zipped, uploadHandler: UploadHandler, changedOnly: false, checkOutCheckIn: false, sendEmail: false });
      expect(imported).toMatchObject({ success: true });
      await expect(emulator.readDocument(`${zipped}/out/two.txt`)).resolves.toEqual(Buffer.from('two'));
    });
  });
});
