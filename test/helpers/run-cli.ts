// Runs the built `srv-asmx` as a user would, as a child process with a clean environment, and
// returns its exit code and everything it printed; optionally sends Ctrl-C once stderr shows a line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built command line, as package.json's `bin` names it: the bundle users run. */
export const CLI = fileURLToPath(new URL(`../../${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> }).bin['srv-asmx']}`, import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Sends `interruptSignal` (default SIGINT) once stderr matches, after `interruptDelayMs` (default 0). */
  readonly interruptWhen?: RegExp;
  readonly interruptDelayMs?: number;
  readonly interruptSignal?: NodeJS.Signals;
  /** Sends the signal this many times in the same moment (default 1), as `timeout` does to a process group. */
  readonly interruptTimes?: number;
  /** Written to the command's standard input. */
  readonly stdin?: string | Buffer;
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
      if (!interrupted && options.interruptWhen?.test(stderr)) {
        interrupted = true;
        setTimeout(() => {
          for (let n = 0; n < (options.interruptTimes ?? 1); n++) child.kill(options.interruptSignal ?? 'SIGINT');
        }, options.interruptDelayMs ?? 0);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin);
  });
}

export interface ServeRun {
  /** The emulator's URL, from the first line of stdout. */
  readonly url: string;
  /** SIGTERM, then everything it printed. */
  stop(): Promise<CliRun>;
}

/** Starts `srv-asmx serve` with `args` and waits for its URL. */
export function startServe(args: readonly string[]): Promise<ServeRun> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    void closed.then((code) => reject(new Error(`serve exited (${code}) before printing its URL: ${stderr}`)));
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const url = /^(http\S+)\n/.exec(stdout)?.[1];
      if (url === undefined) return;
      resolve({
        url,
        stop: async () => {
          child.kill('SIGTERM');
          return { code: await closed, stdout, stderr };
        },
      });
    });
  });
}

export interface StartedCli {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves once stderr matches. */
  stderrShows(pattern: RegExp): Promise<void>;
  /** Its exit code and everything it printed. */
  readonly done: Promise<CliRun>;
}

/**
 * Starts the built CLI with its standard streams left to the test: stdin stays open until the
 * test ends it, and stdout or stderr can be closed early as a reader that goes away does.
 */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>>): StartedCli {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
    for (const check of waiting) check();
  });
  // A stream the test closed on purpose reports EPIPE or ECONNRESET, which is no failure of the test.
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream.on('error', () => undefined);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const stderrShows = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(stderr)) return;
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
      void done.then(() => (waiting.has(check) ? reject(new Error(`the CLI ended before stderr showed ${pattern}: ${stderr}`)) : undefined));
    });
  return { child, stderrShows, done };
}
