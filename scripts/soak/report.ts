// The soak's figures: throughput, errors, RSS over time of both processes and whether it stayed
// flat, corrupted documents and leaked handlers; as a table for people and JSON
// (bench-results/soak.json) for the figures in docs/reliability.md#soak.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Sample {
  /** Seconds since the start. */
  readonly t: number;
  readonly clientRss: number;
  readonly emulatorRss: number;
  readonly faultsInjected: number;
  readonly transfers: number;
  readonly bytes: number;
}

export interface RssFigures {
  readonly startMiB: number;
  readonly peakMiB: number;
  readonly endMiB: number;
  /** Median of the first and of the last third of the samples. */
  readonly firstThirdMiB: number;
  readonly lastThirdMiB: number;
  /** lastThird / firstThird - 1. */
  readonly growth: number;
  readonly flat: boolean;
}

export interface SoakFigures {
  readonly sessions: number;
  readonly seconds: number;
  readonly faults: string;
  readonly transfers: number;
  readonly megabytes: number;
  readonly mbPerSecond: number;
  readonly transfersPerSecond: number;
  readonly faultsInjected: number;
  readonly retries: number;
  readonly restarts: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly corruptedDocuments: number;
  readonly leakedHandlers: number;
  readonly clientRss: RssFigures;
  readonly emulatorRss: RssFigures;
  readonly samples: readonly Sample[];
}

const MIB = 1_048_576;
/** The last third may exceed the first by this share, and by this much at least, and still count as flat. */
const FLAT_GROWTH = 0.25;
const FLAT_SLACK_MIB = 32;

const mib = (bytes: number): number => Math.round((bytes / MIB) * 10) / 10;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function rssFigures(series: readonly number[]): RssFigures {
  const third = Math.max(1, Math.floor(series.length / 3));
  const first = median(series.slice(0, third));
  const last = median(series.slice(-third));
  return {
    startMiB: mib(series[0] ?? 0),
    peakMiB: mib(Math.max(0, ...series)),
    endMiB: mib(series.at(-1) ?? 0),
    firstThirdMiB: mib(first),
    lastThirdMiB: mib(last),
    growth: first === 0 ? 0 : Math.round((last / first - 1) * 1000) / 1000,
    flat: last <= Math.max(first * (1 + FLAT_GROWTH), first + FLAT_SLACK_MIB * MIB),
  };
}

/** Why the run failed, if it did. */
export function problems(figures: SoakFigures): string[] {
  return [
    figures.corruptedDocuments > 0 && `${figures.corruptedDocuments} corrupted documents`,
    figures.leakedHandlers > 0 && `${figures.leakedHandlers} leaked handlers`,
    !figures.clientRss.flat && 'the client RSS grew',
    !figures.emulatorRss.flat && 'the emulator RSS grew',
    Object.keys(figures.errors).some((name) => name.startsWith('untyped:')) && 'untyped errors',
  ].filter((problem): problem is string => problem !== false);
}

const rssLine = (rss: RssFigures): string =>
  `start ${rss.startMiB} / peak ${rss.peakMiB} / end ${rss.endMiB} MiB; first third ${rss.firstThirdMiB}, last third ${rss.lastThirdMiB} MiB (${rss.growth >= 0 ? '+' : ''}${Math.round(rss.growth * 100)}%) ${rss.flat ? 'flat' : 'NOT FLAT'}`;

export function formatSoak(figures: SoakFigures): string {
  const errors = Object.entries(figures.errors).map(([name, count]) => `${name} ${count}`).join(', ') || 'none';
  const rows: Array<[string, string]> = [
    ['sessions / seconds', `${figures.sessions} / ${figures.seconds}`],
    ['faults', `${figures.faults || 'none'}: ${figures.faultsInjected} injected`],
    ['retries / restarts', `${figures.retries} / ${figures.restarts}`],
    ['transfers', `${figures.transfers} (${figures.transfersPerSecond}/s)`],
    ['bytes moved', `${figures.megabytes} MB (${figures.mbPerSecond} MB/s)`],
    ['failed transfers', errors],
    ['corrupted documents', String(figures.corruptedDocuments)],
    ['leaked handlers', String(figures.leakedHandlers)],
    ['client RSS', rssLine(figures.clientRss)],
    ['emulator RSS', rssLine(figures.emulatorRss)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return ['soak', ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}

export async function writeSoak(file: string, figures: SoakFigures): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);
}
