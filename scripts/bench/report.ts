// The benchmark's markdown: one table of the chunk variants, one of the ratios against the issue's
// targets, one of the end-to-end round trips, and the emulator's throughput.
import { MIB, type ChunkResult } from './chunks.js';
import { cliCpuSection, type CliCpuResult } from './cli-cpu.js';
import { throughputSection, type ThroughputResult } from './emulator-throughput.js';
import type { EndToEndResult } from './end-to-end.js';
import type { Summary } from './stats.js';

const CPU_TARGET_VS_FLOOR = 1.3;
const CPU_TARGET_VS_NODE_SOAP = 2.5;
const RSS_BUDGET_CHUNKS = 5;

export interface RunInfo {
  runs: number;
  minutes: number;
}

export function report(chunks: readonly ChunkResult[], endToEnd: readonly EndToEndResult[], info: RunInfo, throughput?: ThroughputResult, cliCpu?: CliCpuResult): string {
  const sections = [
    `# Benchmark\n\nNode ${process.version}, ${process.platform}/${process.arch}, loopback, SOAP 1.1; ${info.minutes.toFixed(1)} minutes. ` +
      'Client CPU is user + system time of the client process; MiB are of raw (not base64) bytes. ' +
      'Medians of interleaved runs, min–max in brackets. Peak RSS is the worker process\'s maximum; Δ is over its RSS once ready.',
  ];
  if (chunks.length > 0) sections.push(variantsTable(chunks), ratiosTable(chunks));
  if (endToEnd.length > 0) sections.push(endToEndTable(endToEnd));
  if (throughput !== undefined) sections.push(throughputSection(throughput));
  if (cliCpu !== undefined) sections.push(cliCpuSection(cliCpu));
  return `${sections.join('\n\n')}\n`;
}

function variantsTable(results: readonly ChunkResult[]): string {
  const rows = results.map((r) =>
    row([
      mib(r.chunkSize),
      r.direction,
      label(r.variant),
      String(r.runs),
      range(r.cpuMsPerMib, 2),
      range(r.mibPerSecond, 0),
      `${(r.peakRssKb / 1024).toFixed(0)} (Δ ${((r.peakRssKb - r.baselineRssKb) / 1024).toFixed(0)})`,
    ]),
  );
  return [
    '## Chunk path: (a) this library, (b) node-soap default call, (c) floor',
    '',
    row(['chunk', 'direction', 'variant', 'runs', 'client CPU ms/MiB', 'wall MiB/s', 'peak RSS MiB']),
    row(['---:', '---', '---', '---:', '---:', '---:', '---:']),
    ...rows,
  ].join('\n');
}

function ratiosTable(results: readonly ChunkResult[]): string {
  const find = (r: ChunkResult, variant: ChunkResult['variant']) =>
    results.find((x) => x.chunkSize === r.chunkSize && x.direction === r.direction && x.variant === variant) as ChunkResult;
  const rows = results
    .filter((r) => r.variant === 'library')
    .map((a) => {
      const [nodeSoap, floor] = [find(a, 'node-soap').cpuMsPerMib.median, find(a, 'floor').cpuMsPerMib.median];
      const vsFloor = a.cpuMsPerMib.median / floor;
      const vsNodeSoap = nodeSoap / a.cpuMsPerMib.median;
      return row([mib(a.chunkSize), a.direction, verdict(vsFloor, vsFloor <= CPU_TARGET_VS_FLOOR), verdict(vsNodeSoap, vsNodeSoap >= CPU_TARGET_VS_NODE_SOAP), (nodeSoap / floor).toFixed(2)]);
    });
  return [
    `## Ratios of median client CPU per MiB (targets: (a)/(c) ≤ ${CPU_TARGET_VS_FLOOR}, (b)/(a) ≥ ${CPU_TARGET_VS_NODE_SOAP}; (b)/(c) for scale)`,
    '',
    row(['chunk', 'direction', '(a)/(c)', '(b)/(a)', '(b)/(c)']),
    row(['---:', '---', '---:', '---:', '---:']),
    ...rows,
  ].join('\n');
}

function endToEndTable(results: readonly EndToEndResult[]): string {
  const rows = results.flatMap((r) => {
    const budget = RSS_BUDGET_CHUNKS * r.chunkSize;
    const base64Budget = RSS_BUDGET_CHUNKS * Math.ceil(r.chunkSize / 3) * 4;
    return (['upload', 'download'] as const).map((direction) => {
      const phase = r[direction];
      const peakKb = Math.max(phase.firstHalfPeakKb, phase.secondHalfPeakKb);
      const growthKb = peakKb - r.baselineRssKb;
      return row([
        mib(r.fileBytes),
        mib(r.chunkSize),
        direction,
        (r.fileBytes / MIB / (phase.ms / 1000)).toFixed(0),
        (r.baselineRssKb / 1024).toFixed(0),
        `${(phase.firstHalfPeakKb / 1024).toFixed(0)} / ${(phase.secondHalfPeakKb / 1024).toFixed(0)}`,
        verdict(growthKb / 1024, growthKb * 1024 <= budget, 0),
        `${(budget / MIB).toFixed(0)} / ${(base64Budget / MIB).toFixed(0)}`,
      ]);
    });
  });
  return [
    `## End to end against the emulator (separate processes): upload, then download to a file`,
    '',
    `Budget: peak RSS ≤ baseline + ${RSS_BUDGET_CHUNKS} × chunk size (raw / base64); ✔ is against the raw one.`,
    '',
    row(['file', 'chunk', 'direction', 'MiB/s', 'baseline RSS MiB', 'peak RSS MiB, 1st / 2nd half', 'peak − baseline MiB', 'budget MiB (raw / base64)']),
    row(['---:', '---:', '---', '---:', '---:', '---:', '---:', '---:']),
    ...rows,
  ].join('\n');
}

function label(variant: ChunkResult['variant']): string {
  return { library: '(a) this library', 'node-soap': '(b) node-soap', floor: '(c) floor' }[variant];
}

function range(summary: Summary, digits: number): string {
  return `${summary.median.toFixed(digits)} [${summary.min.toFixed(digits)}–${summary.max.toFixed(digits)}]`;
}

function verdict(value: number, met: boolean, digits = 2): string {
  return `${value.toFixed(digits)} ${met ? '✔' : '✘'}`;
}

function mib(bytes: number): string {
  return `${bytes / MIB} MiB`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}
