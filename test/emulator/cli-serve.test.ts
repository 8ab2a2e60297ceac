import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { envelope11, login, postSoap11, soap, TEMPURI, uploadDocument } from './helpers.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'serve-cli.ts');

function runServe(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'serve', ...args], { stdio: 'pipe' });
}

async function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return line;
}

describe('srv-asmx serve', () => {
  it('prints its URL first, serves the given users, libraries and faults, and exits cleanly on SIGTERM', async () => {
    const child = runServe(['--port', '0', '--user', 'alice:pw:with:colons', '--library', 'Docs', 'Archive', '--faults', 'ServerInfo@1:http500', '--no-filehexcrc']);
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const url = await firstLine(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/srv\.asmx$/);
    expect((await fetch(`${url}/ServerInfo`)).status).toBe(500);
    expect((await fetch(`${url}/ServerInfo`)).status).toBe(200);
    const ticket = await login(url, 'alice', 'pw:with:colons');
    for (const library of ['/Docs', '/Archive']) {
      expect((await soap(url, 'FolderExists', [['authenticationTicket', ticket], ['Path', library]])).result.attrs.success).toBe('true');
    }
    expect((await soap(url, 'FolderExists', [['authenticationTicket', ticket], ['Path', '/Public']])).result.attrs.error).toBe('Folder not found.');
    const dataDir = /data in (\S+);/.exec(stderr)?.[1] ?? '';
    expect(existsSync(dataDir)).toBe(true);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('--profile minimal: only the load-bearing attributes', async () => {
    const child = runServe(['--profile', 'minimal']);
    const url = await firstLine(child);
    try {
      expect(await (await fetch(`${url}/ServerInfo`)).text()).toBe('<?xml version="1.0" encoding="utf-8"?><root success="true" VersionNumber="8.7.0.0" />');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('--profile classic-asmx with --max-request-length: xmlns="" last, and the limit as an ASMX fault', async () => {
    const child = runServe(['--profile', 'classic-asmx', '--max-request-length', '1']);
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const url = await firstLine(child);
    try {
      expect((await soap(url, 'ServerInfo')).body).toMatch(/ComplianceModuleIsOn="true" xmlns="" \/><\/ServerInfoResult>/);
      const over = await postSoap11(url, `${TEMPURI}ServerInfo`, envelope11('ServerInfo', []) + ' '.repeat(2048));
      expect(over.status).toBe(500);
      expect(over.body).toContain('System.Web.HttpException: Maximum request length exceeded.');
      expect(stderr).toContain('profile classic-asmx');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('--refuse-concurrent-reads: of two overlapping reads of one handler, one fails as the file in use', async () => {
    const child = runServe(['--refuse-concurrent-reads', '--faults', 'DownloadFileChunk:latency=300']);
    const url = await firstLine(child);
    try {
      const ticket = await login(url);
      await uploadDocument(url, ticket, '/Public/twice.bin', Buffer.alloc(1000, 1));
      const staged = await soap(url, 'GetDownloadHandler', [['AuthenticationTicket', ticket], ['Path', '/Public/twice.bin'], ['PreferedChunkSize', '0']]);
      const read = () => soap(url, 'DownloadFileChunk', [['authenticationTicket', ticket], ['DownloadHandler', staged.result.attrs.downloadhandler ?? ''], ['StartOffset', '0'], ['ChunkSize', '1000']]);
      const errors = (await Promise.all([read(), read()])).map(({ result }) => result.attrs.error ?? '');
      expect(errors.filter((error) => /being used by another process/.test(error))).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('--upload-limit and --document-max-size: the limits getApplicationParameters and GetGeneralAppSettings report', async () => {
    const child = runServe(['--upload-limit', '3000000', '--document-max-size', '2000000']);
    const url = await firstLine(child);
    try {
      const ticket = await login(url);
      expect((await soap(url, 'getApplicationParameters', [['AuthenticationTicket', ticket]])).body).toContain('<FILEUPLOADLIMIT>3000000</FILEUPLOADLIMIT>');
      expect((await soap(url, 'GetGeneralAppSettings', [['authenticationTicket', ticket]])).body).toContain('<DocumentMaxSize>2000000</DocumentMaxSize>');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('refuses an unknown --profile, a --max-request-length of 0, and limits out of range', async () => {
    for (const [args, message] of [
      [['--profile', 'iis'], 'expected one of documented, minimal, classic-asmx, aspnetcore'],
      [['--profile', 'classic-asmx', '--max-request-length', '0'], 'above 0'],
      [['--upload-limit', '0'], 'above 0'],
      [['--document-max-size', '1073741825'], 'at most 1073741824 bytes'],
    ] as const) {
      const child = runServe([...args]);
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).not.toBe(0);
      expect(stderr).toContain(message);
    }
  });

  it('refuses a bad --faults spec', async () => {
    const child = runServe(['--faults', 'UploadFileChunk@x:tryagain']);
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).not.toBe(0);
    expect(stderr).toContain('cannot read "@x"');
  });
});
