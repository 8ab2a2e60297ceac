/**
 * Interop with a SOAP client nobody here wrote: python-zeep loads the emulator's ?WSDL and uploads through it,
 * reads versions and download facts, locks, unlocks and deletes, then calls over the HTTP POST and GET ports the WSDL
 * declares.
 * Needs Debian's python3-zeep (scripts/test-prereqs.sh installs it); it is /usr/bin/python3 that sees it.
 * Without it the file skips, saying SKIPPED, except under CI=true, where it fails (test/interop/toolkits.ts).
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { interopSuite } from './toolkits.js';

const { describe, it } = await interopSuite('zeep', 'test/interop/zeep-emulator.test.ts');

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'zeep_emulator.py');
const PYTHON = '/usr/bin/python3';

/** The result element's attributes as the wire has them: {Op}Result is an s:any, so zeep hands back raw XML. */
type Reply = Record<string, string>;

interface ZeepReport {
  login: Reply;
  grant: { success: string; ChunkSize: number };
  wrongCrc: Reply;
  firstChunk: Reply;
  lastChunk: Reply;
  fileCrc: string;
  finalize: Reply;
  exists: Reply;
  deleteSpare: Reply;
  deleteConsumed: Reply;
  path: string;
  more: {
    versions: Array<[number, string]>;
    version: Reply;
    downloadInfo: Reply;
    downloadInfoByVersion: Reply;
    lock: Reply;
    lockAgain: Reply;
    checkedOut: string[];
    unlock: Reply;
    deleteVersion: Reply;
    deleteDocument: Reply;
    afterDelete: Reply;
  };
  http: Record<string, unknown>;
}

let emulator: RunningEmulator;
let report: ZeepReport;
const log: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ log: (line) => log.push(line.replace(/ \d+ms$/, '')) });
  const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, `${emulator.url}?WSDL`, 'Public'], { timeout: 30_000 });
  report = JSON.parse(stdout) as ZeepReport;
});
afterAll(() => emulator.close());

describe('python-zeep against the emulator', () => {
  it('logs in and gets an upload handler', () => {
    expect(report.login).toEqual({ success: 'true', username: 'demo' });
    expect(report.grant).toEqual({ success: 'true', ChunkSize: 262144 });
  });

  it('sees tryagain="true" for a wrong CRC, then uploads both chunks with filehexcrc on the last', () => {
    expect(report.wrongCrc).toMatchObject({ success: 'true', tryagain: 'true' });
    expect(report.firstChunk).toMatchObject({ success: 'true', tryagain: 'false' });
    expect(report.firstChunk).not.toHaveProperty('filehexcrc');
    expect(report.lastChunk).toMatchObject({ success: 'true', tryagain: 'false', filehexcrc: report.fileCrc });
  });

  it('finalizes the document and finds it with the same CRC', async () => {
    expect(report.finalize).toMatchObject({ success: 'true', DocumentId: '1', VersionId: '1000001' });
    expect(report.exists).toMatchObject({ success: 'true', CRC32LASTVERSION: report.fileCrc, CRC32: report.fileCrc });
    const document = emulator.state().documents.find((candidate) => candidate.path === report.path);
    expect(document?.versions).toEqual([expect.objectContaining({ size: 262144 + 1000, crc32: report.fileCrc })]);
  });

  it('deletes upload handlers, leaving none behind', () => {
    expect(report.deleteSpare).toEqual({ success: 'true', error: '' });
    expect(report.deleteConsumed).toEqual({ success: 'true', error: '' });
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  it("reads a document's versions and download facts, locks and unlocks it, and deletes a version and the document", () => {
    const { more } = report;
    expect(more.versions).toEqual([[1000000, '5'], [2000000, '10']]);
    expect(more.version).toEqual({ success: 'true', error: '' });
    expect(more.downloadInfo).toMatchObject({ success: 'true', Size: '10', VersionNumber: '0', AlterDocumentName: 'zeep-versions.txt' });
    expect(more.downloadInfoByVersion).toMatchObject({ success: 'true', Size: '5', VersionNumber: '1000000' });
    expect([more.lock, more.lockAgain]).toEqual([{ success: 'true', error: '' }, { success: 'false', error: 'Document is already checked out by you.' }]);
    expect(more.checkedOut).toEqual(['zeep-versions.txt']);
    expect(more.unlock).toEqual({ success: 'true', error: '' });
    expect([more.deleteVersion, more.deleteDocument]).toEqual([{ success: 'true' }, { success: 'true' }]);
    expect(more.afterDelete).toEqual({ success: 'false', error: 'Document not found' });
    expect(emulator.state().recycleBin.map((document) => [document.path, document.versions.map((v) => v.versionNumber)])).toEqual([['/Public/zeep-versions.txt', [2000000]]]);
  });

  it('calls over HTTP POST and HTTP GET, reading each bare element through its type', () => {
    expect(report.http).toEqual({
      postLogin: { type: 'BareRoot', success: 'true', ticketIsGuid: true },
      postFolderExists: { type: 'BareResponse', attributes: { success: 'true' } },
      getFolderExists: { type: 'BareResponse', attributes: { error: 'Folder not found.' } },
      getDeleteUploadHandler: { type: 'BareResponse', attributes: { success: 'false', error: 'bad Request' } },
      getDownloadInfo: { type: 'BareResponse', attributes: expect.objectContaining({ success: 'true', Size: String(262144 + 1000), CRC32: report.fileCrc }) },
    });
    expect(log.filter((line) => line.includes('/srv.asmx/'))).toEqual(
      ['POST AuthenticateUser', 'POST FolderExists', 'GET FolderExists', 'GET DeleteUploadHandler', 'GET GetDownloadInfo', 'POST LogOut'].map((call) => {
        const [verb, op] = call.split(' ');
        return `${verb} /srv.asmx/${op} 200`;
      }),
    );
  });
});
