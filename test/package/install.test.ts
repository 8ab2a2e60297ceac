/**
 * PACKAGE TEST, SLOW (about 10 to 20 s; npm and real installs): packs the package, installs the
 * tarball into two fresh projects in a temporary directory, one ESM and one CommonJS, and uses it
 * there as a user would: by its public names only, the emulator from `srv-asmx-client/emulator`,
 * a login, an upload and a download of a small buffer, and the `srv-asmx` bin. npm installs the
 * dependencies from its cache (--prefer-offline), falling back to the npm registry.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, ROOT, run, shown, type Packed, type Run } from './pack.js';

const CONSUMER = join(ROOT, 'test', 'package', 'consumer');
/** What only the command line (commander, cli-progress, read) and the emulator (busboy, saxes) import. */
const CLI_AND_EMULATOR_ONLY = ['commander', 'cli-progress', 'read', 'busboy', 'saxes'];

let workDir: string;
let packed: Packed;
const projects = { esm: '', cjs: '' };

async function project(name: 'esm' | 'cjs', script: string): Promise<string> {
  const dir = join(workDir, name);
  await mkdir(dir);
  const manifest = { name: `srv-asmx-${name}-consumer`, version: '1.0.0', private: true, type: name === 'esm' ? 'module' : 'commonjs' };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(join(CONSUMER, script), join(dir, script));
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', packed.tarball], { cwd: dir, timeout: 120_000 });
  if (install.code !== 0) throw new Error(`npm install of the tarball into the ${name} project failed: ${shown(install)}`);
  return dir;
}

/** The one JSON line a consumer script prints. */
function report(result: Run): Record<string, unknown> {
  if (result.code !== 0) throw new Error(`the consumer script failed: ${shown(result)}`);
  return JSON.parse(result.stdout.trim()) as Record<string, unknown>;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'srv-asmx-install-'));
  packed = await pack(workDir);
  [projects.esm, projects.cjs] = await Promise.all([project('esm', 'esm.mjs'), project('cjs', 'cjs.cjs')]);
}, 180_000);
afterAll(() => rm(workDir, { recursive: true, force: true }));

function expectRoundTrip(result: Record<string, unknown>): void {
  expect(result).toMatchObject({ version: '0.1.0', manifestVersion: '0.1.0', identical: true, stored: true });
  const uploaded = result['uploaded'] as { bytes: number; chunks: number; crc32: string };
  expect(uploaded).toMatchObject({ bytes: 300 * 1024, chunks: 2 });
  expect(uploaded.crc32).toMatch(/^[0-9a-f]{8}$/);
  expect(result['downloaded']).toEqual({ bytes: 300 * 1024, crc32: uploaded.crc32 });
  expect(result['fileCrc32']).toBe(uploaded.crc32);
}

test('an ESM project imports the package and its emulator, logs in, uploads and downloads', async () => {
  expectRoundTrip(report(await run(process.execPath, ['esm.mjs'], { cwd: projects.esm })));
});

test('a CommonJS project require()s them and does the same', async () => {
  expectRoundTrip(report(await run(process.execPath, ['cjs.cjs'], { cwd: projects.cjs })));
});

// --no: should the bin not be linked, npx must fail rather than fetch some other package named srv-asmx.
test('npx srv-asmx --help runs the installed bin', async () => {
  const result = await run('npx', ['--no', '--', 'srv-asmx', '--help'], { cwd: projects.esm });
  if (result.code !== 0) throw new Error(`npx srv-asmx --help failed: ${shown(result)}`);
  expect(result.stdout).toMatch(/^Usage: srv-asmx /);
  for (const command of ['upload', 'download', 'exists', 'sync', 'serve', 'demo']) expect(result.stdout).toContain(command);
});

test('the bin linked into node_modules/.bin prints the version', async () => {
  const result = await run(join(projects.cjs, 'node_modules', '.bin', 'srv-asmx'), ['-V'], { cwd: projects.cjs });
  expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
});

// Last: it removes packages from the ESM project. The library's entry point must not load what only
// the command line and the emulator need, so that they could one day leave a library-only install.
test('the library loads without the packages only the command line and the emulator import', async () => {
  await Promise.all(CLI_AND_EMULATOR_ONLY.map((name) => rm(join(projects.esm, 'node_modules', name), { recursive: true, force: true })));
  const script = "const m = await import('srv-asmx-client'); console.log(typeof m.SrvSession.login, m.VERSION);";
  const result = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: projects.esm });
  expect(result).toMatchObject({ code: 0, stdout: 'function 0.1.0\n' });
});
