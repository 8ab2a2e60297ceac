// `npm run bench`: client CPU, throughput and peak RSS of this library's chunk path against
// node-soap's default generated client and a hand-written floor, then a 1 GiB round trip against
// the emulator, the emulator's own throughput over raw HTTP, and the built CLI and the library as
// whole processes against the limit (the least a client can do for the same bytes) and the floor. Writes a markdown report to
// bench-results/latest.md and prints it (docs/performance.md holds the tables of a run, copied from
// it by hand). It measures; it never fails on a number. Options: --runs N,
// --quick, --sizes 1,4,8,32 (MiB), --e2e-mib N, --e2e-chunks 4,32 (MiB), --no-e2e, --no-chunks, --emulator-mib N, --no-emulator,
// --no-downloads, --no-cli-cpu (which needs `npm run build` first; --cli-mib N, --cli-runs N), --no-bindings (UploadFileChunk over
// HTTP POST against SOAP 1.1, in 1, 8 and 32 MiB chunks), --no-pacing (rateLimit's accuracy over ten seconds).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchmarkBindings, bindingsSection } from './bench/bindings.js';
import { benchmarkChunks, MIB, type ChunkPlan } from './bench/chunks.js';
import { benchmarkCliCpu } from './bench/cli-cpu.js';
import { benchmarkDownloads, downloadsMarkdown, FULL_PLAN } from './bench/downloads.js';
import { benchmarkEmulatorThroughput } from './bench/emulator-throughput.js';
import { benchmarkEndToEnd } from './bench/end-to-end.js';
import { benchmarkPacing, pacingSection } from './bench/pacing.js';
import { ROOT } from './bench/processes.js';
import { report } from './bench/report.js';

interface Options {
  runs: number;
  sizesMib: number[];
  e2eMib: number;
  e2eChunkMib: number[];
  chunks: boolean;
  e2e: boolean;
  emulatorMib: number;
  emulator: boolean;
  downloads: boolean;
  cliCpu: boolean;
  cliMib: number;
  cliRuns: number;
  bindings: boolean;
  pacing: boolean;
}

function optionsOf(argv: string[]): Options {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index < 0 ? undefined : argv[index + 1];
  };
  const quick = argv.includes('--quick');
  const list = (text: string | undefined, fallback: number[]) => (text === undefined ? fallback : text.split(',').map(Number));
  return {
    runs: Number(value('--runs') ?? (quick ? 3 : 20)),
    sizesMib: list(value('--sizes'), quick ? [1, 32] : [1, 4, 8, 32]),
    e2eMib: Number(value('--e2e-mib') ?? (quick ? 256 : 1024)),
    e2eChunkMib: list(value('--e2e-chunks'), [4, 32]),
    chunks: !argv.includes('--no-chunks'),
    e2e: !argv.includes('--no-e2e'),
    emulatorMib: Number(value('--emulator-mib') ?? 256),
    emulator: !argv.includes('--no-emulator'),
    downloads: !argv.includes('--no-downloads'),
    cliCpu: !argv.includes('--no-cli-cpu'),
    cliMib: Number(value('--cli-mib') ?? 512),
    cliRuns: Number(value('--cli-runs') ?? 5),
    bindings: !argv.includes('--no-bindings'),
    pacing: !argv.includes('--no-pacing'),
  };
}

/** 32 MiB per run, at least two chunks; half the runs (at least 3) for the largest chunks, to keep the whole under ten minutes. */
function chunkPlans(options: Options, sizesMib = options.sizesMib): ChunkPlan[] {
  return sizesMib.map((mib) => ({
    chunkSize: mib * MIB,
    bytesPerRun: Math.max(32, 2 * mib) * MIB,
    runs: mib >= 32 ? Math.max(3, Math.ceil(options.runs / 2)) : options.runs,
  }));
}

async function main(): Promise<void> {
  const options = optionsOf(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const chunks = options.chunks ? await benchmarkChunks(chunkPlans(options), log) : [];
  const endToEnd = options.e2e ? await benchmarkEndToEnd(options.e2eMib * MIB, options.e2eChunkMib.map((mib) => mib * MIB), log) : [];
  const throughputPlan = { chunkSize: 8 * MIB, bytes: options.emulatorMib * MIB, runs: 3 };
  const throughput = options.emulator ? await benchmarkEmulatorThroughput(throughputPlan, log) : undefined;
  // The figure: 512 MiB in 8 MiB chunks each way, five runs of four variants (about three minutes).
  const cliCpu = options.cliCpu ? await benchmarkCliCpu({ fileBytes: options.cliMib * MIB, chunkSize: 8 * MIB, runs: options.cliRuns }, log) : undefined;
  const downloads = options.downloads ? downloadsMarkdown(await benchmarkDownloads(FULL_PLAN, log)) : '';
  const bindings = options.bindings ? `\n${bindingsSection(await benchmarkBindings(chunkPlans(options, [1, 8, 32]), log))}\n` : '';
  const pacing = options.pacing ? `\n${pacingSection(await benchmarkPacing(log))}` : '';
  const markdown = report(chunks, endToEnd, { runs: options.runs, minutes: (Date.now() - started) / 60_000 }, throughput, cliCpu) + downloads + bindings + pacing;
  const directory = join(ROOT, 'bench-results');
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'latest.md'), markdown);
  process.stdout.write(markdown);
  log(`written to bench-results/latest.md`);
}

await main();
