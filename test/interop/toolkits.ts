/**
 * The toolkits the interop tests need and npm cannot install, from Debian:
 *   zeep  python3-zeep, seen by /usr/bin/python3 (zeep-*.test.ts)
 *   mono  mono-devel: Mono's wsdl, mcs and mono (mono.test.ts)
 * scripts/test-prereqs.sh installs a missing one as root or with password-less sudo (npm test runs it
 * first; a file run on its own runs it here). When the toolkit is still missing:
 *   - with CI=true the file fails, at once and by name: CI runs every interop test, never skips one;
 *   - otherwise (an ordinary user without root) it is skipped, loudly: console.warn('SKIPPED: …').
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Toolkit = 'zeep' | 'mono';

const PACKAGE: Record<Toolkit, string> = { zeep: 'python3-zeep', mono: 'mono-devel' };
const PREREQS = fileURLToPath(new URL('../../scripts/test-prereqs.sh', import.meta.url));

interface Run {
  code: number;
  stderr: string;
}

function run(command: string, args: readonly string[], timeout: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr: error !== null && typeof error.code !== 'number' ? `${stderr}${error.message}` : stderr });
    });
  });
}

/** CI as the CI systems and .ci/run's caller say it: CI=true (or 1). */
export function inCi(): boolean {
  return /^(true|1)$/i.test(process.env['CI'] ?? '');
}

/** What of the toolkit is missing, by name; none when it is all there. */
async function missingParts(toolkit: Toolkit): Promise<string[]> {
  if (toolkit === 'zeep') return (await run('/usr/bin/python3', ['-c', 'import zeep'], 30_000)).code === 0 ? [] : ['zeep for /usr/bin/python3'];
  const tools = ['wsdl', 'mcs', 'mono'];
  const found = await Promise.all(tools.map(async (tool) => (await run('sh', ['-c', `command -v ${tool}`], 30_000)).code === 0));
  return tools.filter((_tool, i) => !found[i]);
}

export interface InteropSuite {
  describe: jest.Describe;
  it: jest.It;
  test: jest.It;
}

/**
 * jest's describe, it and test for an interop file that needs `toolkit`; when the toolkit is missing
 * outside CI, their skipped forms, after a SKIPPED warning. Under CI a missing toolkit throws.
 */
export async function interopSuite(toolkit: Toolkit, file: string): Promise<InteropSuite> {
  const here = { describe, it, test };
  if ((await missingParts(toolkit)).length === 0) return here;
  const install = await run('bash', [PREREQS, toolkit], 900_000);
  const missing = await missingParts(toolkit);
  if (missing.length === 0) return here;
  const what = `${missing.join(', ')} missing (Debian's ${PACKAGE[toolkit]})`;
  if (inCi()) {
    const said = install.stderr.trim() === '' ? '' : `:\n${install.stderr.trim()}`;
    throw new Error(`${file}: ${what}, and the interop tests never skip under CI=true. scripts/test-prereqs.sh ${toolkit} exited ${install.code}${said}`);
  }
  const skipped = `SKIPPED: ${file}: ${what}. Install it with 'sudo apt-get install ${PACKAGE[toolkit]}' (or run npm test as root) to run these tests.`;
  console.warn(skipped);
  // jest shows no console output of a file whose tests were all skipped when it runs more than one
  // file (npm test); this line reaches the terminal whatever jest runs.
  process.stderr.write(`${skipped}\n`);
  return { describe: describe.skip, it: it.skip, test: test.skip };
}
