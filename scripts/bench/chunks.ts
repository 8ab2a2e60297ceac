// The chunk benchmark: each variant and direction in a worker of its own, against one discard
// server, runs interleaved so that drift in the machine's speed hits every variant alike.
import { Worker, startServer } from './processes.js';
import type { Direction, RunSample, Variant, WorkerSpec } from './protocol.js';
import { summarize, type Summary } from './stats.js';

export const VARIANTS: readonly Variant[] = ['library', 'node-soap', 'floor'];
export const DIRECTIONS: readonly Direction[] = ['upload', 'download'];
export const MIB = 1024 * 1024;

export interface ChunkResult {
  chunkSize: number;
  direction: Direction;
  variant: Variant;
  runs: number;
  /** Client CPU (user + system) per MiB moved. */
  cpuMsPerMib: Summary;
  mibPerSecond: Summary;
  baselineRssKb: number;
  peakRssKb: number;
}

export interface ChunkPlan {
  chunkSize: number;
  runs: number;
  bytesPerRun: number;
}

export async function benchmarkChunks(plans: readonly ChunkPlan[], log: (line: string) => void): Promise<ChunkResult[]> {
  const server = await startServer('scripts/bench/discard-server.ts');
  try {
    const results: ChunkResult[] = [];
    for (const plan of plans) results.push(...(await benchmarkChunkSize(server.url, plan, log)));
    return results;
  } finally {
    await server.stop();
  }
}

async function benchmarkChunkSize(url: string, plan: ChunkPlan, log: (line: string) => void): Promise<ChunkResult[]> {
  const specs: WorkerSpec[] = DIRECTIONS.flatMap((direction) => VARIANTS.map((variant) => ({ variant, direction, url, chunkSize: plan.chunkSize, bytesPerRun: plan.bytesPerRun })));
  const workers: Worker[] = [];
  try {
    for (const spec of specs) {
      const worker = new Worker(spec);
      workers.push(worker);
      await worker.baselineRssKb;
    }
    const samples = workers.map((): RunSample[] => []);
    for (let run = 0; run < plan.runs; run++) {
      log(`  ${plan.chunkSize / MIB} MiB chunks: run ${run + 1} of ${plan.runs}`);
      for (let i = 0; i < workers.length; i++) {
        const index = (i + run) % workers.length;
        samples[index]?.push(await (workers[index] as Worker).run());
      }
    }
    const results: ChunkResult[] = [];
    for (const [index, worker] of workers.entries()) {
      results.push(resultOf(plan, worker.spec, samples[index] ?? [], await worker.baselineRssKb, await worker.stop()));
    }
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
  }
}

function resultOf(plan: ChunkPlan, spec: WorkerSpec, samples: RunSample[], baselineRssKb: number, peakRssKb: number): ChunkResult {
  const mib = plan.bytesPerRun / MIB;
  return {
    chunkSize: plan.chunkSize,
    direction: spec.direction,
    variant: spec.variant,
    runs: samples.length,
    cpuMsPerMib: summarize(samples.map((s) => s.cpuMs / mib)),
    mibPerSecond: summarize(samples.map((s) => mib / (s.wallMs / 1000))),
    baselineRssKb,
    peakRssKb,
  };
}
