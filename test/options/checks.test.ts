// What the library checks before anything is sent, callable without a session (the CLI calls
// these before it logs in): the options against their tables, local files, and the client's rules.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { checkClientOptions, checkDownload, checkUpload, fileCrc32, InvalidArgumentError, type LocalPath } from '../../src/index.js';

const dir = join(tmpdir(), `srv-option-checks-${process.pid}`);
const file = join(dir, 'there.bin');
beforeAll(async () => {
  await mkdir(dir);
  await writeFile(file, 'there');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function refusal(check: Promise<unknown>): Promise<{ argument: string; localPath: LocalPath | undefined }> {
  const error = await check.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  const { argument, localPath } = error as InvalidArgumentError;
  return { argument, localPath };
}

describe('checkUpload', () => {
  test('passes a good upload', async () => {
    await expect(checkUpload(file, '/Public/there.bin', { chunkSize: 262_144, onSourceChange: 'restart' })).resolves.toBeUndefined();
    await expect(checkUpload(new PassThrough(), { folder: '/Public', name: 'x.bin' })).resolves.toBeUndefined();
  });

  test.each<[string, () => Promise<void>, { argument: string; localPath: LocalPath | undefined }]>([
    ['a missing file', () => checkUpload(join(dir, 'missing.bin'), '/Public/x'), { argument: 'source', localPath: { path: join(dir, 'missing.bin'), problem: 'missing' } }],
    ['a directory', () => checkUpload(dir, '/Public/x'), { argument: 'source', localPath: { path: dir, problem: 'not-a-file' } }],
    ['a chunk size out of range', () => checkUpload(file, '/Public/x', { chunkSize: 5 }), { argument: 'chunkSize', localPath: undefined }],
    ['an unknown onSourceChange', () => checkUpload(file, '/Public/x', { onSourceChange: 'ignore' as 'fail' }), { argument: 'onSourceChange', localPath: undefined }],
    ['a destination without a folder', () => checkUpload(file, 'x.bin'), { argument: 'destination', localPath: undefined }],
  ])('refuses %s', async (_what, check, expected) => {
    expect(await refusal(check())).toEqual(expected);
  });

  test('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(checkUpload(fifo, '/Public/x'))).toEqual({ argument: 'source', localPath: { path: fifo, problem: 'not-a-file' } });
    await rm(fifo);
  });
});

describe('checkDownload', () => {
  test('passes a good download, and creates nothing', async () => {
    await expect(checkDownload('/Public/x', join(dir, 'new.bin'), { concurrency: 16 })).resolves.toBeUndefined();
    await expect(checkDownload('/Public/x', file, { overwrite: true })).resolves.toBeUndefined();
    await expect(checkDownload('/Public/x', new PassThrough())).resolves.toBeUndefined();
    expect(await readdir(dir)).toEqual(['there.bin']);
  });

  test.each<[string, () => Promise<void>, { argument: string; localPath: LocalPath | undefined }]>([
    ['an existing file without overwrite', () => checkDownload('/Public/x', file), { argument: 'destination', localPath: { path: file, problem: 'exists' } }],
    ['a directory', () => checkDownload('/Public/x', dir), { argument: 'destination', localPath: { path: dir, problem: 'directory' } }],
    ['a missing directory', () => checkDownload('/Public/x', join(dir, 'no', 'x.bin')), { argument: 'destination', localPath: { path: join(dir, 'no', 'x.bin'), problem: 'no-directory' } }],
    ['resume to a stream', () => checkDownload('/Public/x', new PassThrough(), { resume: true }), { argument: 'resume', localPath: undefined }],
    ['a concurrency out of range', () => checkDownload('/Public/x', join(dir, 'new.bin'), { concurrency: 17 }), { argument: 'concurrency', localPath: undefined }],
    ['an empty source', () => checkDownload('', join(dir, 'new.bin')), { argument: 'source', localPath: undefined }],
  ])('refuses %s', async (_what, check, expected) => {
    expect(await refusal(check())).toEqual(expected);
  });
});

test('fileCrc32 refuses a missing file as the upload does', async () => {
  expect(await refusal(fileCrc32(join(dir, 'missing.bin')))).toEqual({ argument: 'path', localPath: { path: join(dir, 'missing.bin'), problem: 'missing' } });
});

describe('checkClientOptions', () => {
  test('gives back the endpoint of good options; the web server\'s password need not be known yet', () => {
    const url = checkClientOptions({ url: 'https://dms.example.com/srv.asmx', auth: { type: 'basic', user: 'jdoe' }, headers: { 'X-Trace': '1' }, timeoutMs: 500 });
    expect(url.href).toBe('https://dms.example.com/srv.asmx');
  });

  test.each<[string, Parameters<typeof checkClientOptions>[0], string]>([
    ['Basic over plain http:', { url: 'http://dms.example.com/srv.asmx', auth: { type: 'basic', user: 'jdoe' } }, 'auth.allowHttp'],
    ['a header the client sets itself', { url: 'https://dms.example.com/srv.asmx', headers: { 'Content-Type': 'text/plain' } }, 'headers["Content-Type"]'],
    ['an unknown auth scheme', { url: 'https://dms.example.com/srv.asmx', auth: { type: 'kerberos' as 'ntlm', user: 'jdoe' } }, 'auth.type'],
    ['a time limit of 0', { url: 'https://dms.example.com/srv.asmx', timeoutMs: 0 }, 'timeoutMs'],
    ['a fractional maxSockets', { url: 'https://dms.example.com/srv.asmx', maxSockets: 1.5 }, 'maxSockets'],
    ['an unknown binding', { url: 'https://dms.example.com/srv.asmx', binding: 'corba' as 'soap11' }, 'binding'],
    ['no URL', { url: 'not a url' }, 'url'],
  ])('refuses %s', (_what, options, argument) => {
    expect(() => checkClientOptions(options)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', argument }) as Error);
  });
});
