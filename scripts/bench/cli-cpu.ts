// Whole-process CPU and peak RSS of the built CLI (`srv-asmx upload`, `srv-asmx download`) and of
// the library (library-cli.ts) against the limit process (limit-cli.ts: the least a client can do
// for the same bytes) and the floor process (floor-cli.ts, kept for history), all moving the same
// file against one emulator process (`serve`). CPU is user + system time of the client process
// from start to exit, as GNU time reports it: loading, logging in, the chunks, the handler calls,
// logging out. Runs interleave: limit, floor, library, CLI. The CLI's download of a one-chunk file
// gives the peak RSS that the bound of a whole download is counted from (issue 22, part 3).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { AUTO_MAX_CONCURRENCY, DEFAULT_CONCURRENCY } from '../../src/index.js';

/** N of the memory bound: the most reads the default keeps in flight. */
const MOST_IN_FLIGHT = DEFAULT_CONCURRENCY === 'auto' ? AUTO_MAX_CONCURRENCY : DEFAULT_CONCURRENCY;
import { MIB } from './chunks.js';
import { writeRandomFile } from './end-to-end.js';
import { ROOT, startServer } from './processes.js';
import { summarize, type Summary } from './stats.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const LIBRARY = join(ROOT, 'dist/src/index.js');
const TIME = '/usr/bin/time';
/** The scripts run as JavaScript: under tsx its TypeScript loader would count against them. */
const SCRIPTS = ['floor-cli.ts', 'limit-cli.ts', 'library-cli.ts', 'floor.ts', 'protocol.ts'];
const REMOTE_PATH = '/Public/cli-cpu.bin';
const ONE_CHUNK_PATH = '/Public/cli-cpu-one-chunk.bin';
const ACCOUNT = { SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' };
const VARIANTS = ['limit', 'floor', 'library', 'cli'] as const;
type Variant = (typeof VARIANTS)[number];
type Direction = 'upload' | 'download';

export interface CliCpuPlan {
  fileBytes: number;
  chunkSize: number;
  runs: number;
}

/** CPU seconds and peak RSS (KiB) of one variant's process, per run. */
export interface VariantSamples {
  cpu: Summary;
  peakRssKb: Summary;
}

export type CliCpuSamples = Record<Variant, VariantSamples>;

export interface CliCpuResult extends CliCpuPlan {
  upload: CliCpuSamples;
  download: CliCpuSamples;
  /** Peak RSS of the CLI downloading a file of one chunk, per run. */
  oneChunkDownloadRssKb: Summary;
}

interface Sample {
  cpu: number;
  peakRssKb: number;
}

export async function benchmarkCliCpu(plan: CliCpuPlan, log: (line: string) => void): Promise<CliCpuResult> {
  if (!existsSync(CLI)) throw new Error('whole-process CPU: dist/ is missing; run `npm run build` first');
  if (!existsSync(TIME)) throw new Error(`whole-process CPU: needs GNU time at ${TIME}`);
  const directory = await mkdtemp(join(tmpdir(), 'srv-asmx-cli-cpu-'));
  const emulator = await startServer('src/cli/main.ts', ['serve', '--max-body', String(2 * plan.chunkSize + MIB)]);
  try {
    const scripts = await transpileScripts(join(directory, 'scripts'));
    const file = join(directory, 'source.bin');
    const oneChunk = join(directory, 'one-chunk.bin');
    log(`whole-process CPU: writing a ${plan.fileBytes / MIB} MiB file`);
    await writeRandomFile(file, plan.fileBytes);
    await writeRandomFile(oneChunk, plan.chunkSize);
    const env = { PATH: process.env['PATH'] ?? '', SRV_ASMX_URL: emulator.url, ...ACCOUNT };
    const chunk = String(plan.chunkSize);
    const copy = join(directory, 'copy.bin');
    const script = (variant: Exclude<Variant, 'cli'>, direction: Direction) => (direction === 'upload' ? [scripts[variant], direction, file, REMOTE_PATH, chunk] : [scripts[variant], direction, REMOTE_PATH, copy, chunk]);
    const commands = (direction: Direction): Record<Variant, string[]> => ({
      limit: script('limit', direction),
      floor: script('floor', direction),
      library: script('library', direction),
      cli: direction === 'upload' ? [CLI, 'upload', file, REMOTE_PATH, '--chunk-size', chunk] : [CLI, 'download', REMOTE_PATH, copy, '--chunk-size', chunk, '--force'],
    });
    const timeFile = join(directory, 'time.txt');
    await measure([CLI, 'upload', oneChunk, ONE_CHUNK_PATH, '--chunk-size', chunk], env, timeFile);
    const samples = { upload: emptySamples(), download: emptySamples() };
    const oneChunkRss: number[] = [];
    for (let run = 1; run <= plan.runs; run++) {
      for (const direction of ['upload', 'download'] as const) {
        for (const variant of VARIANTS) {
          const sample = await measure(commands(direction)[variant], env, timeFile);
          samples[direction][variant].push(sample);
          await rm(copy, { force: true });
          log(`whole-process CPU, run ${run}, ${direction}, ${variant}: ${sample.cpu.toFixed(2)} s, peak RSS ${(sample.peakRssKb / 1024).toFixed(0)} MiB`);
        }
      }
      const single = await measure([CLI, 'download', ONE_CHUNK_PATH, copy, '--chunk-size', chunk, '--force'], env, timeFile);
      oneChunkRss.push(single.peakRssKb);
      await rm(copy, { force: true });
    }
    const summary = (list: readonly Sample[]): VariantSamples => ({ cpu: summarize(list.map((s) => s.cpu)), peakRssKb: summarize(list.map((s) => s.peakRssKb)) });
    const of = (direction: Direction) => Object.fromEntries(VARIANTS.map((variant) => [variant, summary(samples[direction][variant])])) as CliCpuSamples;
    return { ...plan, upload: of('upload'), download: of('download'), oneChunkDownloadRssKb: summarize(oneChunkRss) };
  } finally {
    await emulator.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

function emptySamples(): Record<Variant, Sample[]> {
  return { limit: [], floor: [], library: [], cli: [] };
}

/** The scripts as JavaScript in `directory`, the library's imports pointed at dist/; the path of each entry point. */
async function transpileScripts(directory: string): Promise<Record<Exclude<Variant, 'cli'>, string>> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'package.json'), '{ "type": "module" }\n');
  for (const module of SCRIPTS) {
    const source = (await readFile(join(ROOT, 'scripts/bench', module), 'utf8')).replace("'../../src/index.js'", `'${pathToFileURL(LIBRARY).href}'`);
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    await writeFile(join(directory, basename(module).replace(/\.ts$/, '.js')), outputText);
  }
  const entry = (name: string) => join(directory, `${name}-cli.js`);
  return { limit: entry('limit'), floor: entry('floor'), library: entry('library') };
}

/** Runs `node <args>` to its end under GNU time: its user + system CPU seconds and peak RSS. */
async function measure(args: readonly string[], env: Record<string, string>, timeFile: string): Promise<Sample> {
  const child = spawn(TIME, ['-f', '%U %S %M', '-o', timeFile, process.execPath, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('exit', resolve));
  if (code !== 0) throw new Error(`${basename(args[0] ?? '')} ${args[1]} exited with code ${code}: ${stderr.slice(-600)}`);
  const [user, system, peakRssKb] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
  return { cpu: (user ?? Number.NaN) + (system ?? Number.NaN), peakRssKb: peakRssKb ?? Number.NaN };
}

/** Issue 22's targets: whole-process CPU against the limit's. */
const CPU_TARGET_VS_LIMIT: Record<Direction, number> = { upload: 1.15, download: 1.4 };
/** What the peak RSS of a download may exceed (N + 1) chunks over a one-chunk download's by. */
const RSS_SLACK = 8 * MIB;

/** The report's section: median CPU seconds per process, min–max in brackets, ratios against the limit and the floor, and the download's peak RSS against its bound. */
export function cliCpuSection(result: CliCpuResult): string {
  const mibOfFile = result.fileBytes / MIB;
  const range = (s: Summary) => `${s.median.toFixed(2)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
  const perMib = (s: Summary) => ((1000 * s.median) / mibOfFile).toFixed(2);
  const rows = (['upload', 'download'] as const).flatMap((direction) => {
    const samples = result[direction];
    const target = CPU_TARGET_VS_LIMIT[direction];
    return VARIANTS.map((variant) => {
      const { cpu, peakRssKb } = samples[variant];
      const ratio = cpu.median / samples.limit.cpu.median;
      const verdict = variant === 'cli' || variant === 'library' ? ` ${ratio <= target ? '✔' : '✘'} (≤ ${target})` : '';
      return `| ${direction} | ${variant} | ${range(cpu)} | ${perMib(cpu)} | ${ratio.toFixed(2)}${verdict} | ${(cpu.median / samples.floor.cpu.median).toFixed(2)} | ${(peakRssKb.median / 1024).toFixed(0)} |`;
    });
  });
  const single = result.oneChunkDownloadRssKb.median * 1024;
  const bound = single + (MOST_IN_FLIGHT + 1) * result.chunkSize + RSS_SLACK;
  const peak = result.download.cli.peakRssKb;
  const mib = (bytes: number) => (bytes / MIB).toFixed(0);
  return [
    `## Whole-process CPU: the built CLI and the library against the limit (${mibOfFile} MiB in ${result.chunkSize / MIB} MiB chunks, to and from the emulator; ${result.runs} interleaved runs)`,
    '',
    'User + system CPU seconds of the whole client process (GNU time), start to exit: loading, login, handler calls, chunks, logout. ' +
      'The limit (scripts/bench/limit-cli.ts) is the least a client can do for the same bytes: a reused buffer for the chunk and its base64, zlib.crc32, raw http.request; downloads decoded read by read, one chunk in flight. ' +
      'The floor (floor-cli.ts) is the older yardstick, kept for history. Targets: CLI/limit ≤ 1.15 up, ≤ 1.4 down.',
    '',
    '| direction | variant | CPU s | ms per MiB | /limit (medians) | /floor | peak RSS MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Peak RSS of the CLI's download: ${mib(peak.median * 1024)} MiB [${mib(peak.min * 1024)}–${mib(peak.max * 1024)}], against a one-chunk download's ${mib(single)} MiB + ` +
      `(${MOST_IN_FLIGHT} + 1) × ${mib(result.chunkSize)} MiB + ${mib(RSS_SLACK)} MiB = ${mib(bound)} MiB: median **${peak.median * 1024 <= bound ? 'within' : 'over'}**, ` +
      `highest run ${peak.max * 1024 <= bound ? 'within' : 'over'} (medians of each, as the CPU ratios are).`,
  ].join('\n');
}
