// Every ```ts block of the README and of docs/*.md that starts with `// example: NAME` runs as it
// stands, importing the built package by its name, against the emulator.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type FaultRule, type RunningEmulator } from '../../src/emulator/index.js';
import { codeBlocks, documentationFiles, read, ROOT as root } from '../helpers/markdown.js';

const run = promisify(execFile);
const examples = documentationFiles().flatMap((file) =>
  codeBlocks(read(file))
    .filter((block) => block.language === 'ts')
    .flatMap((block) => {
      const m = /^\/\/ example: (\w+)\n/.exec(block.code);
      return m === null ? [] : [{ file, name: m[1] as string, code: block.code.slice(m[0].length) }];
    }),
);

/** What each example must print. */
const EXPECTED: Record<string, RegExp> = {
  upload: /3145728 of 3145728 bytes acknowledged\nDocumentId \d+, VersionId \d+, CRC32 [0-9a-f]{8}/,
  metadata: /stored \/Public\/Contracts\/acme-\d+\.pdf as DocumentId \d+/,
  download: /17 bytes, CRC32 [0-9a-f]{8}: quarterly figures\n\{ crc32LastVersion: '[0-9a-f]{8}', crc32Published: '[0-9a-f]{8}' \}/,
  resume: /first run: AbortError\nsecond run: 786432 bytes, [1-9]\d* of them kept from the first/,
  documents: /document \/Public\/Notes\/plan\.txt\nversions 1000000 and 2000000\nversion 1000000: 5 bytes, CRC32 [0-9a-f]{8}\n1 version left/,
  cancel: /cancelled; the upload handler was deleted and nothing was stored/,
  emulator: /faults injected 1, restarts 1, handlers left 0/,
  hooks: /POST DocumentExists, attempt 1\nthe table says resend after UnexpectedResponseError \(attempt 1\)\ninfo: retrying DocumentExists \(retry, attempt 1\)\nPOST DocumentExists, attempt 2\nexists: false/,
  tracing: /AuthenticateUser: 1 attempt\(s\), HTTP 200\n[\s\S]*UploadFileChunk: 1 attempt\(s\), HTTP 200\n[\s\S]*LogOut: 1 attempt\(s\), HTTP 200/,
  otel: /^(?=[\s\S]*^srv-asmx upload <- nightly sync$)(?=[\s\S]*^UploadFileChunk <- srv-asmx upload$)(?=[\s\S]*^AuthenticateUser <- \(root\)$)/m,
};

/** The faults an example's server has, as its text says. */
const FAULTS: Record<string, readonly FaultRule[]> = {
  hooks: [{ op: 'DocumentExists', kind: 'http500', at: [1] }],
};

let emulator: RunningEmulator;
let workDir: string;
beforeAll(async () => {
  if (!existsSync(join(root, 'dist/src/index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  emulator = await startEmulator({ users: [{ user: 'reader', password: 'readme-pass' }] });
  // Inside the package, so that `import … from 'srv-asmx-client'` resolves to it by name.
  workDir = await mkdtemp(join(root, '.readme-examples-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(workDir, { recursive: true, force: true });
});

test('the README and docs/ have the examples this test knows, each once', () => {
  expect(examples.map((e) => e.name).sort()).toEqual(Object.keys(EXPECTED).sort());
});

test.each(examples.map((e) => [e.name, e.file, e.code] as const))('example %s (%s) runs and prints what it says', async (name, _file, code) => {
  const file = join(workDir, `${name}.ts`);
  await writeFile(file, code);
  emulator.faults.clear();
  for (const rule of FAULTS[name] ?? []) emulator.faults.add(rule);
  const env = { PATH: process.env['PATH'] ?? '', SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'reader', SRV_ASMX_PASSWORD: 'readme-pass' };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: workDir, env });
  expect(stdout).toMatch(EXPECTED[name] as RegExp);
  expect(emulator.state().uploadHandlers).toEqual([]);
  expect(emulator.state().downloadHandlers).toEqual([]);
});
