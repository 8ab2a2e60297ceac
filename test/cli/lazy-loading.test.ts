// The command line loads what a command needs and nothing else: no emulator outside serve and
// demo, no progress bar without a terminal to draw it on. The command line is a bundle of our
// modules (its packages stay in node_modules); esbuild's metafile tells which modules each loaded
// file of the bundle holds.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/run-cli.js';

const HOOK = fileURLToPath(new URL('./fixtures/loaded-modules.mjs', import.meta.url));
let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'srv-cli-lazy-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** The modules each file of the bundle holds, by the file's path from the package root. */
const BUNDLED = (JSON.parse(readFileSync(new URL('../../dist/cli.meta.json', import.meta.url), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }).outputs;

/** Runs the CLI; its exit code and the URLs of the modules it loaded, those of the bundle as the paths of the modules in it. */
async function loaded(args: string[]): Promise<{ code: number | null; modules: string[] }> {
  const list = join(dir, `modules-${args[0]}.txt`);
  await writeFile(list, '');
  const env = { NODE_OPTIONS: `--import ${HOOK}`, LOADED_MODULES: list, SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' };
  const run = await runCli(args, { env });
  const urls = (await readFile(list, 'utf8')).split('\n').filter((line) => line !== '');
  return { code: run.code, modules: urls.flatMap(unbundled) };
}

function unbundled(url: string): string[] {
  const file = Object.keys(BUNDLED).find((output) => url.endsWith(`/${output}`));
  return file === undefined ? [url] : Object.keys(BUNDLED[file]?.inputs ?? {}).map((input) => `/${input}`);
}

const EMULATOR = /\/src\/emulator\//;
const PROGRESS_BAR = /\/node_modules\/cli-progress\//;
const PROMPT = /\/node_modules\/read\//;
const PROXY_AGENTS = /\/node_modules\/https?-proxy-agent\//;
const OTEL = /\/src\/otel\/|\/node_modules\/@opentelemetry\//;

test.each([
  ['--help', ['--help']],
  ['an upload', ['upload', 'SOURCE', '/Public/lazy.bin']],
  ['a download', ['download', '/Public/lazy.bin', 'COPY']],
])('%s loads neither the emulator, nor the progress bar, nor the prompt, nor the proxy agents without a proxy, nor OpenTelemetry', async (_, template) => {
  const source = join(dir, 'source.bin');
  await writeFile(source, randomBytes(300_000));
  const args = template.map((arg) => (arg === 'SOURCE' ? source : arg === 'COPY' ? join(dir, `copy-${Date.now()}.bin`) : arg));
  const { code, modules } = await loaded(args);
  expect(code).toBe(0);
  // The hook saw the command line's own modules, so that what it did not see was not loaded.
  expect(modules.some((url) => url.endsWith('/dist/src/cli/main.js'))).toBe(true);
  expect(modules.some((url) => url.endsWith('/dist/src/cli/run.js'))).toBe(true);
  expect(modules.filter((url) => [EMULATOR, PROGRESS_BAR, PROMPT, PROXY_AGENTS, OTEL].some((pattern) => pattern.test(url)))).toEqual([]);
});

test('serve --help loads the emulator, which serve runs', async () => {
  const { code, modules } = await loaded(['serve', '--help']);
  expect(code).toBe(0);
  expect(modules.some((url) => EMULATOR.test(url))).toBe(true);
});

test("an upload loads none of the download's modules (the reads, the sinks, the resume state)", async () => {
  const source = join(dir, 'source-only-upload.bin');
  await writeFile(source, randomBytes(100_000));
  const { code, modules } = await loaded(['upload', source, '/Public/lazy-upload-only.bin']);
  expect(code).toBe(0);
  expect(modules.some((url) => url.endsWith('/src/transfers/upload/upload.js'))).toBe(true);
  expect(modules.filter((url) => /\/src\/transfers\/download\/(download|window|open-sink|file-sink|stream-sink|resume-state)\.js$|\/node_modules\/p-limit\//.test(url))).toEqual([]);
});
