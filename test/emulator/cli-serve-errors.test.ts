// Issue 11, case 20: `srv-asmx serve` printed raw stack traces when it could not start. Each
// failure now ends with one line, `srv-asmx serve: …` (a usage error adds where to look, its help),
// and a non-zero exit code: 2 for a usage error (a bad --faults rule, a --tls-cert file that cannot be read, a --data-dir that is a file),
// 1 for a runtime one (a port in use, a store.json that does not parse). Through the built CLI.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../helpers/run-cli.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'serve-errors-test-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const serve = (args: readonly string[]): Promise<CliRun> => runCli(['serve', ...args], { env: {} });

/**
 * One line on stderr, the given one, no stack trace, and nothing on stdout; a usage error (exit 2)
 * is followed by one more line saying where to look.
 */
function expectOneLine(run: CliRun, code: number, line: RegExp): void {
  expect({ code: run.code, stdout: run.stdout, stack: /\n\s+at /.test(run.stderr) }).toEqual({ code, stdout: '', stack: false });
  expect(run.stderr.endsWith('\n')).toBe(true);
  const lines = run.stderr.slice(0, -1).split('\n');
  expect(lines).toEqual(code === 2 ? [expect.stringMatching(line), "see 'srv-asmx serve --help'"] : [expect.stringMatching(line)]);
}

function listening(): Promise<Server> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

it('a port in use: exit 1', async () => {
  const busy = await listening();
  try {
    const { port } = busy.address() as AddressInfo;
    expectOneLine(await serve(['--port', String(port)]), 1, new RegExp(`^srv-asmx serve: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use \\(EADDRINUSE\\)$`));
  } finally {
    busy.close();
  }
});

it('a --tls-cert that does not exist: exit 2', async () => {
  const cert = join(root, 'missing-cert.pem');
  expectOneLine(await serve(['--tls-cert', cert, '--tls-key', join(root, 'missing-key.pem')]), 2, new RegExp(`^srv-asmx serve: --tls-cert: cannot read ${cert.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ENOENT\\)`));
});

it('--tls-cert without --tls-key: exit 2, with a message', async () => {
  const cert = join(root, 'cert.pem');
  await writeFile(cert, 'not really a certificate');
  expectOneLine(await serve(['--tls-cert', cert]), 2, /^srv-asmx serve: --tls-cert and --tls-key go together$/);
});

it('a store.json that does not parse: exit 1, and the file is left as it was', async () => {
  const dataDir = join(root, 'data');
  await mkdir(dataDir);
  await writeFile(join(dataDir, 'store.json'), '{"documents": [');
  expectOneLine(await serve(['--data-dir', dataDir]), 1, /^srv-asmx serve: .*store\.json is not a valid store file/);
  expect(await readFile(join(dataDir, 'store.json'), 'utf8')).toBe('{"documents": [');
});

it('a --data-dir that is a file: exit 2', async () => {
  const file = join(root, 'a-file');
  await writeFile(file, 'not a directory');
  expectOneLine(await serve(['--data-dir', file]), 2, /^srv-asmx serve: --data-dir: .*a-file is not a directory$/);
});

it('an unknown operation in --faults: exit 2', async () => {
  expectOneLine(await serve(['--faults', 'NoSuchOperation@1:tryagain']), 2, /^srv-asmx serve: .*unknown operation "NoSuchOperation"/);
});

it('a fault kind that does not apply to its operation, and a bad WHEN: exit 2', async () => {
  expectOneLine(await serve(['--faults', 'ServerInfo:corrupt']), 2, /^srv-asmx serve: .*corrupt does not apply to ServerInfo/);
  expectOneLine(await serve(['--faults', 'UploadFileChunk@x:tryagain']), 2, /^srv-asmx serve: .*cannot read "@x"/);
});
