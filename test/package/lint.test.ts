/**
 * PACKAGE TEST (about 5 s): what `npm pack` would publish. It checks the tarball's contents and
 * manifest, then lints the tarball with arethetypeswrong (attw) and publint, as a user's TypeScript
 * and bundler would see it. test/package/install.test.ts installs the same tarball and uses it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { documentationFiles, links } from '../helpers/markdown.js';
import { pack, ROOT, run, shown, type Packed } from './pack.js';

interface Manifest {
  name: string;
  license?: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  scripts?: Record<string, string>;
  repository?: unknown;
  bugs?: unknown;
  homepage?: string;
}

let workDir: string;
let packed: Packed;
let manifest: Manifest;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'srv-asmx-lint-'));
  packed = await pack(workDir);
  const extracted = await run('tar', ['-xzf', packed.tarball, '-O', 'package/package.json'], { cwd: workDir });
  if (extracted.code !== 0) throw new Error(`cannot read package.json from the tarball: ${shown(extracted)}`);
  manifest = JSON.parse(extracted.stdout) as Manifest;
}, 60_000);
afterAll(() => rm(workDir, { recursive: true, force: true }));

const strip = (path: string) => path.replace(/^\.\//, '');

describe('the tarball', () => {
  it('holds the build, the WSDL, the licence, the readme, the docs it links to and the changelog, and nothing else', () => {
    const outside = packed.files.filter((path) => !/^(dist|wsdl)\//.test(path) && !/^docs\/[\w-]+\.md$/.test(path) && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(path));
    expect(outside).toEqual([]);
    for (const path of ['LICENSE', 'CHANGELOG.md', 'README.md', 'wsdl/srv.wsdl', 'dist/generated/srv.js', ...documentationFiles()]) expect(packed.files).toContain(path);
    // No tests, no benchmarks, no scripts, and no source maps pointing at a src/ it does not carry.
    expect(packed.files.filter((path) => /^dist\/(test|scripts|bench)/.test(path) || path.endsWith('.map'))).toEqual([]);
    // Nothing of an older layout left in dist/ (the build starts from an empty dist/).
    expect(packed.files.filter((path) => /^dist\/src\/(upload|download)\//.test(path))).toEqual([]);
  });

  it("has what its markdown's relative links lead to, so that they work in an installed copy", async () => {
    const shipped = packed.files.filter((path) => path.endsWith('.md'));
    const missing: string[] = [];
    for (const file of shipped) {
      for (const target of links(await readFile(join(ROOT, file), 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        const path = normalize(join(dirname(file), decodeURI(target.split('#')[0] ?? '')));
        if (!packed.files.includes(path)) missing.push(`${file}: ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('exports exactly the three entry points and package.json, types first, and main, types and bin are in it', () => {
    expect(manifest.exports).toEqual({
      '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' },
      './emulator': { types: './dist/src/emulator/index.d.ts', default: './dist/src/emulator/index.js' },
      './otel': { types: './dist/src/otel/index.d.ts', default: './dist/src/otel/index.js' },
      './package.json': './package.json',
    });
    for (const entry of Object.values(manifest.exports ?? {})) {
      if (typeof entry !== 'string') expect(Object.keys(entry)[0]).toBe('types');
    }
    expect(manifest.main).toBe('./dist/src/index.js');
    expect(manifest.types).toBe('./dist/src/index.d.ts');
    expect(Object.keys(manifest.bin ?? {})).toEqual(['srv-asmx']);
    const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {}), './dist/src/emulator/index.js', './dist/src/emulator/index.d.ts', './dist/src/otel/index.js', './dist/src/otel/index.d.ts'];
    for (const target of targets) expect(packed.files).toContain(strip(target ?? ''));
  });

  it('has a shebang on the bin', async () => {
    const bin = Object.values(manifest.bin ?? {})[0] ?? '';
    expect((await readFile(join(ROOT, bin), 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('builds on prepack, never on install, and names its licence, repository, issues and home page', () => {
    expect(manifest.scripts?.['prepare']).toBeUndefined();
    expect(manifest.scripts?.['prepack']).toBe('npm run build');
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/srv-asmx/srv-asmx-client.git' });
    expect(manifest.bugs).toEqual({ url: 'https://github.com/srv-asmx/srv-asmx-client/issues' });
    expect(manifest.homepage).toBe('https://github.com/srv-asmx/srv-asmx-client#readme');
  });
});

describe('linters, on the tarball', () => {
  // The package is ESM only. Node 20.19 and later require() it, but TypeScript's node16 resolution
  // from CommonJS (as attw's bundled TypeScript models it) allows only import(), and node10 ignores
  // exports, so ./emulator cannot resolve there: the documented esm-only profile leaves those two
  // resolutions out and checks node16 from ESM and bundler. test/package/install.test.ts shows require().
  it('arethetypeswrong finds no problem (profile esm-only)', async () => {
    const attw = join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const result = await run(process.execPath, [attw, packed.tarball, '--profile', 'esm-only', '--no-color'], { cwd: workDir });
    if (result.code !== 0) throw new Error(`attw found problems:\n${shown(result)}`);
  });

  it('publint finds nothing, not even a suggestion (strict)', async () => {
    const bytes = await readFile(packed.tarball);
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const { messages, pkg } = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
    expect(messages.map((message) => `${message.type} ${message.code}: ${formatMessage(message, pkg) ?? ''}`)).toEqual([]);
  });
});
