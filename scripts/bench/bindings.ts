// UploadFileChunk over the HTTP POST binding (the chunk a raw multipart part) against SOAP 1.1 (the
// chunk in base64): the bytes each MiB of a file takes on the wire, and the client CPU per MiB. The
// library's session uploads in each binding, and the floor (SOAP 1.1) for scale, each in a worker
// of its own against one discard server, runs interleaved; the server counts the bytes it read.
import { MIB, type ChunkPlan } from './chunks.js';
import { Worker, startServer } from './processes.js';
import type { RunSample, WorkerSpec } from './protocol.js';
import { summarize, type Summary } from './stats.js';

export type BindingVariant = 'soap11' | 'http-post' | 'floor';
const BINDING_VARIANTS: readonly BindingVariant[] = ['soap11', 'http-post', 'floor'];

export interface BindingResult {
  chunkSize: number;
  variant: BindingVariant;
  runs: number;
  /** Client CPU (user + system) per MiB of the file. */
  cpuMsPerMib: Summary;
  /** UploadFileChunk request bytes (headers and body) per MiB of the file; the same every run. */
  wireBytesPerMib: number;
}

export async function benchmarkBindings(plans: readonly ChunkPlan[], log: (line: string) => void): Promise<BindingResult[]> {
  const server = await startServer('scripts/bench/discard-server.ts');
  try {
    const results: BindingResult[] = [];
    for (const plan of plans) results.push(...(await benchmarkChunkSize(server.url, plan, log)));
    return results;
  } finally {
    await server.stop();
  }
}

function specOf(variant: BindingVariant, url: string, plan: ChunkPlan): WorkerSpec {
  const common = { direction: 'upload', url, chunkSize: plan.chunkSize, bytesPerRun: plan.bytesPerRun } as const;
  return variant === 'floor' ? { ...common, variant: 'floor' } : { ...common, variant: 'library', binding: variant };
}

async function benchmarkChunkSize(url: string, plan: ChunkPlan, log: (line: string) => void): Promise<BindingResult[]> {
  const workers: Worker[] = [];
  try {
    for (const variant of BINDING_VARIANTS) {
      const worker = new Worker(specOf(variant, url, plan));
      workers.push(worker);
      await worker.baselineRssKb;
    }
    const samples = workers.map((): RunSample[] => []);
    const wire = workers.map((): number[] => []);
    for (let run = 0; run < plan.runs; run++) {
      log(`  bindings, ${plan.chunkSize / MIB} MiB chunks: run ${run + 1} of ${plan.runs}`);
      for (let i = 0; i < workers.length; i++) {
        const index = (i + run) % workers.length;
        const before = await chunkWireBytes(url);
        samples[index]?.push(await (workers[index] as Worker).run());
        wire[index]?.push((await chunkWireBytes(url)) - before);
      }
    }
    const mib = plan.bytesPerRun / MIB;
    return BINDING_VARIANTS.map((variant, index) => ({
      chunkSize: plan.chunkSize,
      variant,
      runs: samples[index]?.length ?? 0,
      cpuMsPerMib: summarize((samples[index] ?? []).map((s) => s.cpuMs / mib)),
      wireBytesPerMib: summarize(wire[index] ?? []).median / mib,
    }));
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
  }
}

/** What the discard server has read of UploadFileChunk requests so far. */
async function chunkWireBytes(url: string): Promise<number> {
  const counts = (await (await fetch(new URL('/bytes', url))).json()) as Record<string, number>;
  return counts['UploadFileChunk'] ?? 0;
}

export function bindingsSection(results: readonly BindingResult[]): string {
  const find = (chunkSize: number, variant: BindingVariant) => results.find((r) => r.chunkSize === chunkSize && r.variant === variant) as BindingResult;
  const rows = [...new Set(results.map((r) => r.chunkSize))].map((chunkSize) => {
    const [soap, http, floor] = [find(chunkSize, 'soap11'), find(chunkSize, 'http-post'), find(chunkSize, 'floor')];
    const cpu = (r: BindingResult) => `${r.cpuMsPerMib.median.toFixed(2)} [${r.cpuMsPerMib.min.toFixed(2)}–${r.cpuMsPerMib.max.toFixed(2)}]`;
    return row([
      `${chunkSize / MIB} MiB`,
      String(http.runs),
      (soap.wireBytesPerMib / MIB).toFixed(4),
      (http.wireBytesPerMib / MIB).toFixed(4),
      `${((1 - http.wireBytesPerMib / soap.wireBytesPerMib) * 100).toFixed(1)} %`,
      cpu(soap),
      cpu(http),
      (http.cpuMsPerMib.median / soap.cpuMsPerMib.median).toFixed(2),
      cpu(floor),
    ]);
  });
  return [
    '## UploadFileChunk over HTTP POST (raw multipart) against SOAP 1.1 (base64): a session upload of this library in each, and the floor (SOAP 1.1) for scale',
    '',
    'Wire: UploadFileChunk request bytes (headers and body) per MiB of the file, as the discard server read them.',
    '',
    row(['chunk', 'runs', 'wire MiB/MiB, SOAP 1.1', 'wire MiB/MiB, HTTP POST', 'HTTP POST saves', 'CPU ms/MiB, SOAP 1.1', 'CPU ms/MiB, HTTP POST', 'HTTP POST / SOAP 1.1 CPU', 'CPU ms/MiB, floor']),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...rows,
  ].join('\n');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}
