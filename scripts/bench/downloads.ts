// Parallel ranged downloads, measured against the emulator in processes of their own: the wall
// time of the default concurrency against one chunk in flight when every DownloadFileChunk costs a
// round trip between sites, from a server that answers reads side by side and from one that serves
// one connection at a time (`serve --one-connection`); what a run killed with SIGKILL half-way leaves the next run to fetch;
// and peak RSS against baseline + (N + 1) × chunk size, for two file sizes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTO_MAX_CONCURRENCY, DEFAULT_CONCURRENCY } from '../../src/index.js';
import { SrvSession } from '../../src/session/session.js';
import type { DownloadReport, DownloadSpec } from './download-client.js';
import { writeRandomFile } from './end-to-end.js';
import { ROOT, startServer, type Server } from './processes.js';

const MIB = 1_048_576;
const WARMUP_PATH = '/Public/bench-warmup.bin';

export interface LatencyResult {
  latencyMs: number;
  /** Whether the emulator served one connection at a time. */
  oneConnection: boolean;
  fileBytes: number;
  chunkSize: number;
  parallelMs: number;
  serialMs: number;
}

export interface ResumeResult {
  fileBytes: number;
  chunkSize: number;
  /** Bytes the second run fetched: those the first run's kept ranges did not cover. */
  fetchedBytes: number;
}

export interface MemoryResult {
  fileBytes: number;
  chunkSize: number;
  /** The most chunks in flight: the default's, 'auto' going up to AUTO_MAX_CONCURRENCY. */
  concurrency: number;
  /** RSS after login, and after a one-chunk warm-up download. */
  idleRssKb: number;
  baselineRssKb: number;
  peakRssKb: number;
}

export interface DownloadBench {
  latency: LatencyResult;
  oneConnection: LatencyResult;
  resume: ResumeResult;
  memory: MemoryResult[];
}

export interface DownloadBenchPlan {
  latencyMs: number;
  latencyFileBytes: number;
  resumeFileBytes: number;
  /** File and chunk sizes of the memory runs. */
  memory: ReadonlyArray<{ fileBytes: number; chunkSize: number }>;
}

export const FULL_PLAN: DownloadBenchPlan = {
  latencyMs: 200,
  latencyFileBytes: 128 * MIB,
  resumeFileBytes: 256 * MIB,
  memory: [
    { fileBytes: 256 * MIB, chunkSize: 8 * MIB },
    { fileBytes: 1024 * MIB, chunkSize: 8 * MIB },
    { fileBytes: 1024 * MIB, chunkSize: 32 * MIB },
  ],
};

export async function benchmarkDownloads(plan: DownloadBenchPlan, log: (line: string) => void): Promise<DownloadBench> {
  const directory = await mkdtemp(join(tmpdir(), 'srv-asmx-bench-downloads-'));
  try {
    const latency = await latencyRun(directory, plan.latencyMs, plan.latencyFileBytes, false, log);
    const oneConnection = await latencyRun(directory, plan.latencyMs, plan.latencyFileBytes, true, log);
    const resume = await resumeRun(directory, plan.resumeFileBytes, log);
    const memory: MemoryResult[] = [];
    for (const { fileBytes, chunkSize } of plan.memory) memory.push(await memoryRun(directory, fileBytes, chunkSize, log));
    return { latency, oneConnection, resume, memory };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function latencyRun(directory: string, latencyMs: number, fileBytes: number, oneConnection: boolean, log: (line: string) => void): Promise<LatencyResult> {
  const chunkSize = 4 * MIB;
  const serveArgs = ['--faults', `DownloadFileChunk:latency=${latencyMs}`, ...(oneConnection ? ['--one-connection'] : [])];
  return withDocument(directory, fileBytes, chunkSize, serveArgs, async (emulator, path) => {
    log(`downloads: ${fileBytes / MIB} MiB, ${latencyMs} ms per DownloadFileChunk${oneConnection ? ', one connection at a time' : ''}, concurrency ${DEFAULT_CONCURRENCY} then 1`);
    const spec = { url: emulator.url, path, copy: join(directory, 'copy.bin'), chunkSize, resume: false };
    const parallel = await downloadIn({ ...spec, concurrency: DEFAULT_CONCURRENCY });
    const serial = await downloadIn({ ...spec, concurrency: 1 });
    return { latencyMs, oneConnection, fileBytes, chunkSize, parallelMs: parallel.ms, serialMs: serial.ms };
  });
}

async function resumeRun(directory: string, fileBytes: number, log: (line: string) => void): Promise<ResumeResult> {
  const chunkSize = 4 * MIB;
  return withDocument(directory, fileBytes, chunkSize, [], async (emulator, path) => {
    log(`downloads: ${fileBytes / MIB} MiB with resume, killed with SIGKILL half-way, then run again`);
    const spec = { url: emulator.url, path, copy: join(directory, 'resumed.bin'), chunkSize, concurrency: DEFAULT_CONCURRENCY, resume: true };
    await downloadIn(spec, { killAtHalf: true });
    const again = await downloadIn(spec);
    return { fileBytes, chunkSize, fetchedBytes: again.bytes - again.resumedBytes };
  });
}

async function memoryRun(directory: string, fileBytes: number, chunkSize: number, log: (line: string) => void): Promise<MemoryResult> {
  return withDocument(directory, fileBytes, chunkSize, [], async (emulator, path) => {
    log(`downloads: peak RSS of a ${fileBytes / MIB} MiB download, ${chunkSize / MIB} MiB chunks, concurrency ${DEFAULT_CONCURRENCY}`);
    const report = await downloadIn({ url: emulator.url, path, warmupPath: WARMUP_PATH, copy: join(directory, 'memory.bin'), chunkSize, concurrency: DEFAULT_CONCURRENCY, resume: false });
    const { idleRssKb, baselineRssKb, peakRssKb } = report;
    const concurrency = DEFAULT_CONCURRENCY === 'auto' ? AUTO_MAX_CONCURRENCY : DEFAULT_CONCURRENCY;
    return { fileBytes, chunkSize, concurrency, idleRssKb, baselineRssKb, peakRssKb };
  });
}

/** An emulator process holding a random document of `fileBytes`, for `work`. */
async function withDocument<T>(directory: string, fileBytes: number, chunkSize: number, serveArgs: string[], work: (emulator: Server, path: string) => Promise<T>): Promise<T> {
  const source = join(directory, 'source.bin');
  await writeRandomFile(source, fileBytes);
  // The emulator's FILEUPLOADLIMIT defaults to the documented 1023 MiB; the 1 GiB file goes up whole.
  const emulator = await startServer('src/cli/main.ts', ['serve', '--max-body', String(2 * chunkSize + MIB), '--upload-limit', String(1024 * MIB), ...serveArgs]);
  try {
    const path = '/Public/bench-downloads.bin';
    const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
    await session.upload(source, path, { chunkSize });
    await session.upload(Buffer.alloc(chunkSize, 1), WARMUP_PATH, { chunkSize });
    await session.close();
    await rm(source);
    return await work(emulator, path);
  } finally {
    await emulator.stop();
  }
}

/** Runs download-client.ts; with `killAtHalf`, kills it with SIGKILL once half the file is in. */
async function downloadIn(spec: DownloadSpec, options: { killAtHalf?: boolean } = {}): Promise<DownloadReport> {
  const client = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/download-client.ts', JSON.stringify(spec)], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let report: DownloadReport | undefined;
  client.on('message', (message: { half?: boolean; report?: DownloadReport }) => {
    if (message.half && options.killAtHalf) client.kill('SIGKILL');
    if (message.report) report = message.report;
  });
  const [code, signal] = (await once(client, 'exit')) as [number | null, string | null];
  if (options.killAtHalf) {
    if (signal !== 'SIGKILL') throw new Error(`the download was to be killed half-way, but it ended with ${signal ?? `code ${code}`}`);
    return { ms: 0, bytes: 0, resumedBytes: 0, baselineRssKb: 0, idleRssKb: 0, peakRssKb: 0 };
  }
  if (code !== 0 || !report) throw new Error(`the download client exited with code ${code}`);
  return report;
}

/** Issue 22's targets: the default's time against concurrency 1's, at 200 ms a DownloadFileChunk, and against a one-connection server. */
const LATENCY_TARGET = 0.45;
const ONE_CONNECTION_TARGET = 1.5;

/** The report's section on downloads, with the issue's targets beside the figures. */
export function downloadsMarkdown({ latency, oneConnection, resume, memory }: DownloadBench): string {
  const mib = (bytes: number) => (bytes / MIB).toFixed(0);
  const kbToMib = (kb: number) => (kb / 1024).toFixed(1);
  /** A latency run against the issue's target: the default's time at most `target` × concurrency 1's. */
  const latencyLine = (run: LatencyResult, label: string, target: number) => {
    const ratio = run.parallelMs / run.serialMs;
    return (
      `- **${label}.** ${mib(run.fileBytes)} MiB in ${mib(run.chunkSize)} MiB chunks, ${run.latencyMs} ms added to each DownloadFileChunk${run.oneConnection ? ', the emulator serving one connection at a time (`serve --one-connection`)' : ''}: ` +
      `concurrency ${DEFAULT_CONCURRENCY} (the default) ${(run.parallelMs / 1000).toFixed(2)} s, concurrency 1 ${(run.serialMs / 1000).toFixed(2)} s, ` +
      `ratio **${ratio.toFixed(3)}** ${ratio <= target ? '✔' : '✘'} (target ≤ ${target}).`
    );
  };
  const lines = [
    '## Parallel ranged downloads (emulator in its own process, client in another)',
    '',
    latencyLine(latency, 'Latency', LATENCY_TARGET),
    latencyLine(oneConnection, 'One connection', ONE_CONNECTION_TARGET),
    `- **Resume.** ${mib(resume.fileBytes)} MiB in ${mib(resume.chunkSize)} MiB chunks, killed with SIGKILL half-way: the second run fetched ` +
      `${mib(resume.fetchedBytes)} MiB, **${((100 * resume.fetchedBytes) / resume.fileBytes).toFixed(1)}%** of the file (target ≤ 55%).`,
    '',
    'Baseline: RSS once the client has logged in and downloaded one chunk (V8 has then sized its young generation for the work); idle: after login only.',
    '',
    '| file MiB | chunk MiB | concurrency | idle RSS MiB | baseline RSS MiB | peak RSS MiB | peak − baseline MiB | bound (N + 1) × chunk MiB | within |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...memory.map((m) => {
      const grown = (m.peakRssKb - m.baselineRssKb) * 1024;
      const bound = (m.concurrency + 1) * m.chunkSize;
      return `| ${mib(m.fileBytes)} | ${mib(m.chunkSize)} | ${m.concurrency} | ${kbToMib(m.idleRssKb)} | ${kbToMib(m.baselineRssKb)} | ${kbToMib(m.peakRssKb)} | ${(grown / MIB).toFixed(1)} | ${mib(bound)} | ${grown <= bound ? 'yes' : 'no'} |`;
    }),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
