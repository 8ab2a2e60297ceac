// Issue 11, case 21: a document name is stored exactly as given. The contract says nothing of
// trimming document names (only CreateFolder's names are "sanitized"), so " lead.txt" is a name of
// its own. A name the service could not keep as it is (a trailing space or dot, which sanitizing
// would strip) is refused rather than changed.
import { soap, stage, useEmulator } from './helpers.js';

const running = useEmulator();

const paths = (): string[] => running.emulator.state().documents.map((document) => document.path);
const exists = async (path: string) => (await soap(running.emulator.url, 'DocumentExists', [['authenticationTicket', running.ticket], ['Path', path]])).result.attrs;
const exists1 = async (name: string) => (await soap(running.emulator.url, 'DocumentExists1', [['authenticationTicket', running.ticket], ['FolderPath', '/Public'], ['DocumentName', name]])).result.attrs;

async function byPath(path: string, content: string) {
  const handler = await stage(running.emulator.url, running.ticket, Buffer.from(content));
  return (await soap(running.emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', running.ticket], ['path', path], ['uploadHandler', handler]])).result.attrs;
}

async function asNew(name: string, content: string) {
  const handler = await stage(running.emulator.url, running.ticket, Buffer.from(content));
  return (await soap(running.emulator.url, 'UploadNewDocumentWidthHandler', [
    ['authenticationTicket', running.ticket],
    ['folderPath', '/Public'],
    ['documentName', name],
    ['uploadHandler', handler],
    ['xmlParameters', ''],
  ])).result.attrs;
}

it('UploadDocumentWithHandler stores "/Public/ lead.txt" under that name, apart from "/Public/lead.txt"', async () => {
  expect((await byPath('/Public/ lead.txt', 'leading space')).success).toBe('true');
  expect(paths()).toContain('/Public/ lead.txt');
  expect(paths()).not.toContain('/Public/lead.txt');
  expect((await exists('/Public/ lead.txt')).success).toBe('true');
  expect((await exists('/Public/lead.txt')).error).toBe('Document not found');
  expect((await exists1(' lead.txt')).success).toBe('true');
  expect((await byPath('/Public/lead.txt', 'no space')).success).toBe('true');
  expect((await running.emulator.readDocument('/Public/ lead.txt')).toString()).toBe('leading space');
  expect((await running.emulator.readDocument('/Public/lead.txt')).toString()).toBe('no space');
});

it('UploadNewDocumentWidthHandler takes " new.txt" as it is', async () => {
  expect((await asNew(' new.txt', 'new with a leading space')).success).toBe('true');
  expect(paths()).toContain('/Public/ new.txt');
  expect((await exists1('new.txt')).error).toBe('Document not found');
});

it('a name with a trailing space or dot is refused, never stored under another name', async () => {
  for (const name of ['trail.txt ', 'trail.txt.']) {
    expect([name, (await byPath(`/Public/${name}`, 'x')).error]).toEqual([name, 'Invalid document name.']);
    expect([name, (await asNew(name, 'x')).error]).toEqual([name, 'Invalid document name.']);
  }
  expect(paths().filter((path) => path.includes('trail'))).toEqual([]);
});

it('a folder segment of spaces alone is no folder', async () => {
  expect((await byPath('/Public/ /blank.txt', 'x')).success).toBe('false');
  expect(paths().filter((path) => path.includes('blank'))).toEqual([]);
});
