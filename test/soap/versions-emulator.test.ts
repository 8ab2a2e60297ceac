// The typed client against the emulator, in every server profile, over SOAP 1.1, SOAP 1.2 and HTTP
// POST: GetDocumentVersions, GetDocumentVersion, GetDownloadInfo and GetDownloadInfoByVersion come
// back as typed results, a minimal server's bare versions included.
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createSrvClient, NotFoundError, type SrvClient } from '../../src/index.js';
import { uploadDocument } from '../emulator/helpers.js';
import { PROFILES } from '../helpers/profiles.js';

const PATH = '/Public/versions.txt';
const FIRST = Buffer.from('version one');
const SECOND = Buffer.from('version two, a little longer');

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ profile });
  });
  afterAll(() => emulator.close());

  describe.each(['soap11', 'soap12', 'http-post'] as const)('over %s', (binding) => {
    let client: SrvClient;
    let ticket: string;
    beforeAll(async () => {
      client = await createSrvClient({ url: emulator.url, binding });
      ticket = (await client.AuthenticateUser({ UID: 'demo', PWD: 'demo' })).ticket;
      const path = `${PATH}.${binding}`;
      await uploadDocument(emulator.url, ticket, path, FIRST);
      await uploadDocument(emulator.url, ticket, path, SECOND);
    });
    afterAll(() => client.close());

    const path = () => `${PATH}.${binding}`;
    const crcOf = (size: number) => emulator.state().documents.find((d) => d.path === path())?.versions.find((v) => v.size === size)?.crc32;

    test('GetDocumentVersions: every version, a Number each; sorted by Number, the largest is the latest', async () => {
      const { Versions } = await client.GetDocumentVersions({ AuthenticationTicket: ticket, Path: path() });
      const numbers = Versions.map((v) => v.Number).sort((a, b) => a - b);
      expect(numbers).toEqual([1000000, 2000000]);
      const latest = Versions.find((v) => v.Number === numbers.at(-1));
      if (profile === 'minimal') expect(latest).toEqual({ Number: 2000000 });
      else expect(latest).toMatchObject({ VersionAuthor: 'demo', VersionAuthorId: 1, VersionSize: SECOND.length, Comment: '', ApprovalStatus: '' });
    });

    test('GetDocumentVersion: one version by its Number', async () => {
      const { Version } = await client.GetDocumentVersion({ authenticationTicket: ticket, path: path(), versionNumber: 1000000 });
      expect(Version.Number).toBe(1000000);
      if (profile !== 'minimal') expect(Version.VersionSize).toBe(FIRST.length);
      await expect(client.GetDocumentVersion({ authenticationTicket: ticket, path: path(), versionNumber: 7 })).rejects.toThrow(NotFoundError);
    });

    test("GetDownloadInfo and GetDownloadInfoByVersion: Size and CRC32 of the latest and of one version", async () => {
      const latest = await client.GetDownloadInfo({ AuthenticationTicket: ticket, Path: path() });
      expect(latest).toMatchObject({ Size: SECOND.length, CRC32: crcOf(SECOND.length) });
      const first = await client.GetDownloadInfoByVersion({ AuthenticationTicket: ticket, Path: path(), VersionNumber: 1000000 });
      expect(first).toMatchObject({ Size: FIRST.length, CRC32: crcOf(FIRST.length) });
      if (profile !== 'minimal') expect(first).toMatchObject({ VersionNumber: 1000000, AlterDocumentName: `versions.txt.${binding}`, RenderedContent: false });
      await expect(client.GetDownloadInfo({ AuthenticationTicket: ticket, Path: '/Public/none.txt' })).rejects.toThrow(NotFoundError);
    });
  });
});
