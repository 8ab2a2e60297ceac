// Packs the package as `npm publish` would, from the dist/ that `npm run build` made (npm test builds
// before jest). Scripts are ignored: prepack's clean build would empty dist/ under the suites that run
// the built CLI in other jest workers at the same time.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of an npm or node started on behalf of a user: without what the `npm test` that
 * runs jest exported about this package (npm_package_*, npm_lifecycle_*, its local prefix), so a
 * child npm sees only the project it is started in. The cache and registry settings stay.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(key) || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return env;
}

export function run(command: string, args: readonly string[], options: { cwd: string; timeout?: number; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), timeout: options.timeout ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: error !== null && code === -1 ? `${stderr}${error.message}` : stderr });
    });
  });
}

/** A run's output, for a failure message. */
export function shown(result: Run): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

export interface Packed {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the package, as npm pack lists them. */
  files: string[];
  size: number;
  unpackedSize: number;
}

/** `npm pack` into `destination`. */
export async function pack(destination: string): Promise<Packed> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const result = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: ROOT });
  if (result.code !== 0) throw new Error(`npm pack failed: ${shown(result)}`);
  const [entry] = JSON.parse(result.stdout) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  if (entry === undefined) throw new Error(`npm pack printed no package: ${shown(result)}`);
  return { tarball: join(destination, entry.filename), files: entry.files.map((file) => file.path), size: entry.size, unpackedSize: entry.unpackedSize };
}
