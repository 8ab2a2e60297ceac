// The command line's help for options with a range or a default says what the library's tables
// say, and repeats none of it in its own source; every line of help fits in 100 columns.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_OPTIONS, DOWNLOAD_OPTIONS, optionDefault, optionRange, RETRY_OPTIONS, UPLOAD_MANY_OPTIONS, UPLOAD_OPTIONS, type OptionSpec } from '../../src/index.js';
import { runCli } from '../helpers/run-cli.js';

const CLI_SOURCE = fileURLToPath(new URL('../../src/cli/', import.meta.url));

async function help(command: string): Promise<string> {
  const run = await runCli([command, '--help'], { env: {} });
  expect(run.code).toBe(0);
  return run.stdout;
}

/** `(1..16, default 4)`, as the table has it. */
const told = (spec: OptionSpec) => `(${optionRange(spec)}, default ${optionDefault(spec)})`;
const unwrapped = (text: string) => text.replace(/\s+/g, ' ');

test.each([
  ['upload', '--chunk-size', UPLOAD_OPTIONS.chunkSize],
  ['download', '--chunk-size', DOWNLOAD_OPTIONS.chunkSize],
  ['download', '--concurrency', DOWNLOAD_OPTIONS.concurrency],
  ['sync', '--concurrency', UPLOAD_MANY_OPTIONS.concurrency],
  ['demo', '--chunk-size', UPLOAD_OPTIONS.chunkSize],
] as const)('%s %s: its range and default are the table\'s', async (command, flag, spec) => {
  const text = unwrapped(await help(command));
  const line = text.slice(text.indexOf(flag), text.indexOf(' --', text.indexOf(flag) + flag.length));
  expect(line).toContain(told(spec));
});

test('--timeout and --idle-timeout: the table\'s defaults, in seconds; --retries: the table\'s count', async () => {
  const text = unwrapped(await help('exists'));
  const of = (flag: string) => text.slice(text.indexOf(flag), text.indexOf(' --', text.indexOf(flag) + flag.length));
  expect(of('--timeout')).toContain(`default ${CLIENT_OPTIONS.timeoutMs.default / 1000})`);
  expect(of('--idle-timeout')).toContain(`default ${CLIENT_OPTIONS.idleTimeoutMs.default / 1000})`);
  expect(of('--retries')).toContain(`${optionRange(RETRY_OPTIONS.retries)}, default ${optionDefault(RETRY_OPTIONS.retries)})`);
});

test.each(['', 'upload', 'download', 'exists', 'sync', 'ls', 'versions', 'info', 'rm', 'lock', 'unlock', 'limits', 'check', 'login', 'logout', 'serve', 'demo'])('the help of %j fits in 100 columns', async (command) => {
  const text = await (command === '' ? runCli(['--help'], { env: {} }).then((run) => run.stdout) : help(command));
  expect(text.split('\n').filter((line) => line.length > 100)).toEqual([]);
});

test('the command line\'s source repeats no range or large default of an option it has', async () => {
  const tables = [UPLOAD_OPTIONS, DOWNLOAD_OPTIONS, UPLOAD_MANY_OPTIONS, CLIENT_OPTIONS];
  const specs = tables.flatMap((table): OptionSpec[] => Object.values(table)).filter((spec) => spec.cli !== undefined);
  const numbers = specs.flatMap((spec) => [spec.default, spec.min, spec.max]).filter((n): n is number => typeof n === 'number' && n >= 1000);
  const ranges = specs.map(optionRange).filter((range): range is string => range?.includes('..') === true);
  const files = (await readdir(CLI_SOURCE, { recursive: true })).filter((file) => file.endsWith('.ts') && !file.endsWith('serve.ts'));
  const repeated: string[] = [];
  for (const file of files) {
    const code = (await readFile(join(CLI_SOURCE, file), 'utf8')).replace(/^\s*(\/\/|\/?\*).*$/gm, '').replace(/_/g, '');
    for (const literal of [...new Set([...numbers.map(String), ...ranges])]) if (code.includes(literal)) repeated.push(`${file}: ${literal}`);
  }
  expect(repeated).toEqual([]);
});
