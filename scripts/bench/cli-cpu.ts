// Whole-process CPU of the built CLI (`srv-asmx upload`, `srv-asmx download`) against the floor
// process (floor-cli.ts) moving the same file, both against one emulator process (`serve`). CPU is
// user + system time of the client process from start to exit, as GNU time reports it: loading,
// logging in, the chunks, the handler calls, logging out. Runs interleave, floor then CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { MIB } from './chunks.js';
import { writeRandomFile } from './end-to-end.js';
import { ROOT, startServer } from './processes.js';
import { summarize, type Summary } from './stats.js';

const CLI = join(ROOT, 'dist/src/cli/main.js');
const TIME = '/usr/bin/time';
/** The floor's modules, run as JavaScript: under tsx its TypeScript loader would count against it. */
const FLOOR_MODULES = ['floor-cli.ts', 'floor.ts', 'protocol.ts'];
const REMOTE_PATH = '/Public/cli-cpu.bin';
const ACCOUNT = { SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' };

export interface CliCpuPlan {
  fileBytes: number;
  chunkSize: number;
  runs: number;
}

/** CPU seconds of each process, per run. */
export interface CliCpuSamples {
  cli: Summary;
  floor: Summary;
}

export interface CliCpuResult extends CliCpuPlan {
  upload: CliCpuSamples;
  download: CliCpuSamples;
}

type Direction = 'upload' | 'download';

export async function benchmarkCliCpu(plan: CliCpuPlan, log: (line: string) => void): Promise<CliCpuResult> {
  if (!existsSync(CLI)) throw new Error('whole-process CPU: dist/ is missing; run `npm run build` first');
  if (!existsSync(TIME)) throw new Error(`whole-process CPU: needs GNU time at ${TIME}`);
  const directory = await mkdtemp(join(tmpdir(), 'srv-asmx-cli-cpu-'));
  const emulator = await startServer('src/cli/main.ts', ['serve', '--max-body', String(2 * plan.chunkSize + MIB)]);
  try {
    const floor = await transpileFloor(join(directory, 'floor'));
    const file = join(directory, 'source.bin');
    log(`whole-process CPU: writing a ${plan.fileBytes / MIB} MiB file`);
    await writeRandomFile(file, plan.fileBytes);
    const env = { PATH: process.env['PATH'] ?? '', SRV_ASMX_URL: emulator.url, ...ACCOUNT };
    const chunk = String(plan.chunkSize);
    const copy = join(directory, 'copy.bin');
    const commands: Record<Direction, Record<'floor' | 'cli', string[]>> = {
      upload: { floor: [floor, 'upload', file, REMOTE_PATH, chunk], cli: [CLI, 'upload', file, REMOTE_PATH, '--chunk-size', chunk] },
      download: { floor: [floor, 'download', REMOTE_PATH, copy, chunk], cli: [CLI, 'download', REMOTE_PATH, copy, '--chunk-size', chunk, '--force'] },
    };
    const seconds = { upload: { floor: [] as number[], cli: [] as number[] }, download: { floor: [] as number[], cli: [] as number[] } };
    for (let run = 1; run <= plan.runs; run++) {
      for (const direction of ['upload', 'download'] as const) {
        for (const variant of ['floor', 'cli'] as const) {
          const cpu = await cpuSeconds(commands[direction][variant], env, join(directory, 'time.txt'));
          seconds[direction][variant].push(cpu);
          await rm(copy, { force: true });
          log(`whole-process CPU, run ${run}, ${direction}, ${variant}: ${cpu.toFixed(2)} s`);
        }
      }
    }
    const summary = (direction: Direction) => ({ cli: summarize(seconds[direction].cli), floor: summarize(seconds[direction].floor) });
    return { ...plan, upload: summary('upload'), download: summary('download') };
  } finally {
    await emulator.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

/** The floor's modules as JavaScript in `directory`; the path of its entry point. */
async function transpileFloor(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'package.json'), '{ "type": "module" }\n');
  for (const module of FLOOR_MODULES) {
    const source = await readFile(join(ROOT, 'scripts/bench', module), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    await writeFile(join(directory, basename(module).replace(/\.ts$/, '.js')), outputText);
  }
  return join(directory, 'floor-cli.js');
}

/** Runs `node <args>` to its end under GNU time: its user + system CPU seconds. */
async function cpuSeconds(args: readonly string[], env: Record<string, string>, timeFile: string): Promise<number> {
  const child = spawn(TIME, ['-f', '%U %S', '-o', timeFile, process.execPath, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('exit', resolve));
  if (code !== 0) throw new Error(`${basename(args[0] ?? '')} ${args[1]} exited with code ${code}: ${stderr.slice(-600)}`);
  const [user, system] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
  return (user ?? Number.NaN) + (system ?? Number.NaN);
}

const CPU_TARGET_VS_FLOOR = 1.3;

/** The report's section: median CPU seconds per process, min–max in brackets, and the ratio against the target. */
export function cliCpuSection(result: CliCpuResult): string {
  const range = (s: Summary) => `${s.median.toFixed(2)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
  const rows = (['upload', 'download'] as const).map((direction) => {
    const { cli, floor } = result[direction];
    const ratio = cli.median / floor.median;
    return `| ${direction} | ${result.runs} | ${range(floor)} | ${range(cli)} | ${ratio.toFixed(2)} ${ratio <= CPU_TARGET_VS_FLOOR ? '✔' : '✘'} |`;
  });
  return [
    `## Whole-process CPU: the built CLI against a floor process (${result.fileBytes / MIB} MiB in ${result.chunkSize / MIB} MiB chunks, to and from the emulator; target CLI/floor ≤ ${CPU_TARGET_VS_FLOOR})`,
    '',
    'User + system CPU seconds of the whole client process (GNU time), start to exit: loading, login, handler calls, chunks, logout.',
    '',
    '| direction | runs | floor CPU s | CLI CPU s | CLI/floor (medians) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}
