// What `sync` makes of a local tree before anything is sent: names a server that ignores case and
// Unicode normalization cannot tell apart are refused, naming both; symbolic links to files are
// followed and said so; whatever else it does not upload it names.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'srv-cli-sync-tree-'));
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' });
const json = (run: CliRun) => JSON.parse(run.stdout) as Record<string, unknown>;
const documentsUnder = (folder: string) => emulator.state().documents.filter((d) => d.path.startsWith(`${folder}/`));

async function tree(name: string, files: readonly string[]): Promise<string> {
  const root = join(dir, name);
  for (const file of files) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), file);
  }
  return root;
}

describe('names the server cannot tell apart', () => {
  test.each([
    ['case', ['Report.txt', 'report.txt'], ['Report.txt', 'report.txt']],
    ['Unicode normalization', ['Caf\u00e9.txt', 'Cafe\u0301.txt'], ['Cafe\u0301.txt', 'Caf\u00e9.txt']],
    ['case, in folder names', ['Sub/a.txt', 'sub/b.txt', 'other.txt'], ['Sub', 'sub']],
  ])('differing by %s: a usage error naming both, before any request', async (what, files, named) => {
    const root = await tree(`clash-${what}`, files);
    // Every call is recorded as an injected fault of no effect.
    emulator.faults.add({ op: '*', kind: 'latency', latencyMs: 0 });
    const calls = emulator.faults.injected().length;
    const run = await runCli(['sync', root, '/Public/Clash', '--json'], { env: env() });
    expect(run.code).toBe(2);
    const error = json(run)['error'] as { name: string; message: string };
    expect(error.name).toBe('UsageError');
    for (const name of named) expect(error.message).toContain(join(root, name));
    expect(emulator.faults.injected().length).toBe(calls);
    expect(documentsUnder('/Public/Clash')).toEqual([]);
  });

  test('the message on stderr says why and what to do', async () => {
    const root = await tree('clash-human', ['a/Q3.pdf', 'a/q3.PDF']);
    const run = await runCli(['sync', root, '/Public/Clash'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^srv-asmx: .*${join(root, 'a', 'Q3.pdf')} and ${join(root, 'a', 'q3.PDF')}.*ignores? case`, 'm'));
  });
});

test('symbolic links to files are uploaded and said so; links to folders, broken links and FIFOs are named, never silently skipped', async () => {
  const root = await tree('links', ['real.txt', 'sub/inner.txt']);
  await writeFile(join(dir, 'outside.txt'), 'outside');
  await symlink('real.txt', join(root, 'link.txt'));
  await symlink(join(dir, 'outside.txt'), join(root, 'sub', 'outside.txt'));
  await symlink('.', join(root, 'loop'));
  await symlink('..', join(root, 'sub', 'up'));
  await symlink('nowhere.txt', join(root, 'dangling.txt'));
  execFileSync('mkfifo', [join(root, 'fifo')]);

  const run = await runCli(['sync', root, '/Public/Links', '--json'], { env: env() });
  expect(run.code).toBe(0);
  const result = json(run);
  expect((result['uploaded'] as Array<{ remotePath: string }>).map((u) => u.remotePath).sort()).toEqual(
    ['/Public/Links/link.txt', '/Public/Links/real.txt', '/Public/Links/sub/inner.txt', '/Public/Links/sub/outside.txt'],
  );
  expect((await emulator.readDocument('/Public/Links/link.txt')).toString()).toBe('real.txt');
  expect((await emulator.readDocument('/Public/Links/sub/outside.txt')).toString()).toBe('outside');
  expect(result['symlinks']).toEqual([
    { path: join(root, 'link.txt'), target: join(root, 'real.txt') },
    { path: join(root, 'sub', 'outside.txt'), target: join(dir, 'outside.txt') },
  ]);
  const ignored = result['ignored'] as Array<{ path: string; reason: string }>;
  expect(ignored.map((i) => i.path)).toEqual([join(root, 'dangling.txt'), join(root, 'fifo'), join(root, 'loop'), join(root, 'sub', 'up')]);
  for (const { path } of ignored) expect(run.stderr).toContain(path);
});
