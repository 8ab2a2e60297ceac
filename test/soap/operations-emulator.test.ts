// The typed client against the emulator, in every server profile, over SOAP 1.1, SOAP 1.2 and HTTP
// POST: the operations of issue 23 beyond versions (versions-emulator.test.ts), each round trip
// ending in a typed result or the typed error of its refusal.
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createSrvClient, NotFoundError, ServiceError, type SrvClient } from '../../src/index.js';
import { uploadDocument } from '../emulator/helpers.js';
import { PROFILES } from '../helpers/profiles.js';

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ profile });
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
  });
});
