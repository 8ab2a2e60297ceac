// DownloadZipWithHandler and UploadZipWithHandler over raw HTTP, the archives made and read by
// Python's zipfile (an implementation nobody here wrote): folders with their subfolders, ~D and ~F
// paths, strict and partial results (C24), the ZIP limits (C57), logs (C25), and changedOnly.
import { unzip, zip } from '../helpers/zip.js';
import { soap, stage, uploadDocument, useEmulator } from './helpers.js';

const env = useEmulator({ zipMaxTotalCount: 6, zipMaxTotalSize: 100_000 });

async function download(handler: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = 0, last = false; !last; ) {
    const { result } = await soap(env.emulator.url, 'DownloadFileChunk', [['authenticationTicket', env.ticket], ['DownloadHandler', handler], ['StartOffset', String(offset)], ['ChunkSize', '262144']]);
    const bytes = Buffer.from(result.text, 'base64');
    parts.push(bytes);
    offset += bytes.length;
    last = result.attrs.lastchunk === 'true';
  }
  await soap(env.emulator.url, 'DeleteDownloadHandler', [['authenticationTicket', env.ticket], ['DownloadHandler', handler]]);
  return Buffer.concat(parts);
}

const zipOf = (paths: string, partial = false) =>
  soap(env.emulator.url, 'DownloadZipWithHandler', [['authenticationTicket', env.ticket], ['Paths', paths], ['partialResult', String(partial)]]).then((r) => r.result);

beforeAll(async () => {
  const { emulator, ticket } = env;
  await soap(emulator.url, 'CreateFolder', [['authenticationTicket', ticket], ['Path', '/Public/Slides/2024/empty']]);
  await uploadDocument(emulator.url, ticket, '/Public/Report.pdf', Buffer.from('the report'));
  await uploadDocument(emulator.url, ticket, '/Public/Slides/deck.ppt', Buffer.from('the deck'));
  await uploadDocument(emulator.url, ticket, '/Public/Slides/2024/q1.ppt', Buffer.from('first quarter'));
});

describe('DownloadZipWithHandler', () => {
  it('stages an archive of documents and folders with their subfolders, read with DownloadFileChunk', async () => {
    const result = await zipOf('/Public/Report.pdf|/Public/Slides');
    expect(result.name).toBe('Response');
    expect(result.attrs).toEqual({ success: 'true', downloadhandler: expect.stringMatching(/^[0-9a-f-]{36}$/), error: '' });
    expect(unzip(await download(result.attrs.downloadhandler ?? ''))).toEqual({
      'Report.pdf': 'the report', 'Slides/': '', 'Slides/2024/': '', 'Slides/2024/empty/': '', 'Slides/2024/q1.ppt': 'first quarter', 'Slides/deck.ppt': 'the deck',
    });
    expect(env.emulator.state().downloadHandlers).toEqual([]);
  });

  it('takes ~D and ~F paths', async () => {
    const state = env.emulator.state();
    const report = state.documents.find((d) => d.path === '/Public/Report.pdf')?.documentId;
    const year = state.folders.indexOf('/Public/Slides/2024') + 1;
    const result = await zipOf(`~D${report}|~F${year}`);
    expect(Object.keys(unzip(await download(result.attrs.downloadhandler ?? '')))).toEqual(['Report.pdf', '2024/', '2024/empty/', '2024/q1.ppt']);
  });

  it('fails on a missing item unless partialResult, then logs it with error="[log]" (C24)', async () => {
    const strict = await zipOf('/Public/Report.pdf|/Public/none.txt');
    expect(strict.xml).toBe('<Response xmlns="" success="false" error="[log]" downloadhandler=""><log><item>/Public/none.txt</item><error>Document or folder not found.</error></log></Response>');
    const partial = await zipOf('/Public/Report.pdf|/Public/none.txt', true);
    expect(partial.attrs).toMatchObject({ success: 'true', error: '[log]' });
    expect(partial.xml).toContain('<log><item>/Public/none.txt</item><error>Document or folder not found.</error></log>');
    expect(Object.keys(unzip(await download(partial.attrs.downloadhandler ?? '')))).toEqual(['Report.pdf']);
    expect((await zipOf('', true)).attrs).toEqual({ success: 'false', error: 'No valid paths.', downloadhandler: '' });
  });

  it('fails past MaxTotalCount documents or MaxTotalSize bytes (C57)', async () => {
    await soap(env.emulator.url, 'CreateFolder', [['authenticationTicket', env.ticket], ['Path', '/Public/Many']]);
    for (let i = 0; i < 5; i += 1) await uploadDocument(env.emulator.url, env.ticket, `/Public/Many/m${i}.txt`, Buffer.from(`${i}`));
    expect((await zipOf('/Public/Many|/Public/Report.pdf|/Public/Slides/deck.ppt')).attrs).toEqual({
      success: 'false', error: 'The archive would exceed the ZIP download limits (6 documents, 100000 bytes).', downloadhandler: '',
    });
    await uploadDocument(env.emulator.url, env.ticket, '/Public/huge.bin', Buffer.alloc(100_001));
    expect((await zipOf('/Public/huge.bin')).attrs.success).toBe('false');
  });
});

describe('UploadZipWithHandler', () => {
  const importZip = async (archive: Buffer, options: { changedOnly?: boolean; folder?: string } = {}) => {
    const handler = await stage(env.emulator.url, env.ticket, archive);
    const { result } = await soap(env.emulator.url, 'UploadZipWithHandler', [
      ['authenticationTicket', env.ticket], ['folderPath', options.folder ?? '/Public/Imports'], ['uploadHandler', handler],
      ['changedOnly', String(options.changedOnly ?? false)], ['checkOutCheckIn', 'false'], ['sendEmail', 'false'],
    ]);
    return result;
  };
  const versionsOf = (path: string) => env.emulator.state().documents.find((d) => d.path === path)?.versions.length;

  beforeAll(async () => {
    await soap(env.emulator.url, 'CreateFolder', [['authenticationTicket', env.ticket], ['Path', '/Public/Imports']]);
  });

  it('recreates the archive\'s folder tree under folderPath, answers <root success="true"><logs /></root>, consumes the handler', async () => {
    const result = await importZip(zip({ 'a.txt': 'A', 'sub/': '', 'sub/deep/b.txt': 'B' }));
    expect(result.xml).toBe('<root xmlns="" success="true"><logs /></root>');
    await expect(env.emulator.readDocument('/Public/Imports/sub/deep/b.txt')).resolves.toEqual(Buffer.from('B'));
    expect(env.emulator.state().folders).toEqual(expect.arrayContaining(['/Public/Imports/sub', '/Public/Imports/sub/deep']));
    expect(env.emulator.state().uploadHandlers).toEqual([]);
  });

  it('adds versions to existing documents; with changedOnly, only where the content changed', async () => {
    await importZip(zip({ 'a.txt': 'A', 'c.txt': 'C' }));
    expect([versionsOf('/Public/Imports/a.txt'), versionsOf('/Public/Imports/c.txt')]).toEqual([2, 1]);
    await importZip(zip({ 'a.txt': 'A', 'c.txt': 'C2' }), { changedOnly: true });
    expect([versionsOf('/Public/Imports/a.txt'), versionsOf('/Public/Imports/c.txt')]).toEqual([2, 2]);
  });

  it('answers a file that is no archive as the docs example does', async () => {
    expect((await importZip(Buffer.from('not a zip at all'))).xml).toBe(
      '<root xmlns="" success="false"><logs><log><item>upload.zip</item><error>Unzip operation failed: invalid ZIP format</error></log></logs></root>',
    );
  });

  it('logs the entries it cannot import and imports the others', async () => {
    const result = await importZip(zip({ 'ok.txt': 'fine', 'bad?.txt': 'x' }));
    expect(result.xml).toBe('<root xmlns="" success="false"><logs><log><item>bad?.txt</item><error>Invalid path.</error></log></logs></root>');
    await expect(env.emulator.readDocument('/Public/Imports/ok.txt')).resolves.toEqual(Buffer.from('fine'));
  });

  it('refuses a missing folder with an error attribute, and still consumes the handler', async () => {
    expect((await importZip(zip({ 'a.txt': 'A' }), { folder: '/Public/None' })).attrs).toEqual({ success: 'false', error: 'Folder not found.' });
    expect(env.emulator.state().uploadHandlers).toEqual([]);
  });
});
