// The counts of a fault-matrix run: printed as a table and written as JSON to bench-results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FaultKind, OperationName } from '../../src/emulator/index.js';
import type { Outcome, TornEnding } from './run-case.js';

export type OperationGroup = 'chunk' | 'handler' | 'finalizer' | 'lookup' | 'login';

export interface Figures {
  readonly seed: number;
  readonly lanes: readonly string[];
  readonly transfers: number;
  readonly uploads: number;
  readonly downloads: number;
  readonly faultsInjected: number;
  readonly faultsByKind: Readonly<Record<string, number>>;
  readonly faultsByOperation: Readonly<Record<OperationGroup, number>>;
  readonly succeeded: number;
  readonly failedTyped: number;
  readonly failedUntyped: number;
  readonly failuresByError: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly restarts: number;
  /** Must be 0: stored versions or delivered bytes that differ from the source (from each whole version of a torn one). */
  readonly corruptDocuments: number;
  /** Versions that differ from the source under a latest version that equals it: found by the client, which uploaded again. */
  readonly supersededCorruptVersions: number;
  /** Corrupt latest versions of uploads that failed with ChecksumMismatchError, where nothing could supersede them (see Outcome.reportedCorrupt). */
  readonly reportedCorruptDocuments: number;
  /** Uploads from a source file that changed while it was read, by how they ended. */
  readonly tornSources: Readonly<Record<'cases' | TornEnding, number>>;
  /** Must be 0: uploads reported as stored that stored nothing. */
  readonly missingDocuments: number;
  /** Must be 0: versions an upload stored more than once. */
  readonly duplicateVersions: number;
  /** Must be 0: handlers live after logout. */
  readonly handlersLeft: number;
  /** Must be 0: handlers live before logout that no lost grant or failed delete explains. */
  readonly handlersUnexplained: number;
  /** Must be 0: partial files at a destination. */
  readonly partialFiles: number;
}

function groupOf(op: OperationName): OperationGroup {
  if (op === 'UploadFileChunk' || op === 'DownloadFileChunk') return 'chunk';
  if (op.startsWith('Upload')) return 'finalizer';
  if (op === 'DocumentExists' || op === 'GetDocumentVersions' || op === 'GetDownloadInfoByVersion') return 'lookup';
  if (op === 'AuthenticateUser') return 'login';
  return 'handler';
}

function countBy<K extends string>(keys: readonly K[], initial: Record<K, number>): Record<K, number> {
  const counts = { ...initial };
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

const sum = (outcomes: readonly Outcome[], figure: (outcome: Outcome) => number): number =>
  outcomes.reduce((total, outcome) => total + figure(outcome), 0);

export function tally(outcomes: readonly Outcome[], seed: number, lanes: readonly string[], kinds: readonly FaultKind[]): Figures {
  const faults = outcomes.flatMap((outcome) => outcome.faults);
  const failures = outcomes.flatMap((outcome) => (outcome.failure === undefined ? [] : [outcome.failure]));
  const noKinds = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  return {
    seed,
    lanes,
    transfers: outcomes.length,
    uploads: outcomes.filter((outcome) => outcome.transfer === 'upload').length,
    downloads: outcomes.filter((outcome) => outcome.transfer === 'download').length,
    faultsInjected: faults.length,
    faultsByKind: countBy(faults.map((fault) => fault.kind), noKinds),
    faultsByOperation: countBy(faults.map((fault) => groupOf(fault.op)), { chunk: 0, handler: 0, finalizer: 0, lookup: 0, login: 0 }),
    succeeded: outcomes.length - failures.length,
    failedTyped: failures.filter((failure) => failure.typed).length,
    failedUntyped: failures.filter((failure) => !failure.typed).length,
    failuresByError: countBy(failures.map((failure) => failure.name), {}),
    retries: sum(outcomes, (outcome) => outcome.retries),
    restarts: sum(outcomes, (outcome) => outcome.restarts),
    corruptDocuments: sum(outcomes, (outcome) => outcome.corrupt),
    supersededCorruptVersions: sum(outcomes, (outcome) => outcome.supersededCorrupt),
    reportedCorruptDocuments: sum(outcomes, (outcome) => outcome.reportedCorrupt),
    tornSources: countBy(
      outcomes.flatMap((outcome) => (outcome.torn === undefined ? [] : ['cases' as const, outcome.torn])),
      { cases: 0, 'source-changed': 0, 'stored-new': 0, 'stored-original': 0, 'failed-otherwise': 0 },
    ),
    missingDocuments: sum(outcomes, (outcome) => outcome.missing),
    duplicateVersions: sum(outcomes, (outcome) => outcome.duplicateVersions),
    handlersLeft: sum(outcomes, (outcome) => outcome.handlersLeft),
    handlersUnexplained: sum(outcomes, (outcome) => outcome.unexplainedHandlers),
    partialFiles: sum(outcomes, (outcome) => outcome.partialFiles),
  };
}

const entries = (record: Readonly<Record<string, number>>): string =>
  Object.entries(record)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');

export function formatFigures(figures: Figures): string {
  const rows: Array<[string, string | number]> = [
    ['seed', figures.seed],
    ['lanes', figures.lanes.join(', ')],
    ['transfers (uploads / downloads)', `${figures.transfers} (${figures.uploads} / ${figures.downloads})`],
    ['faults injected', figures.faultsInjected],
    ['  by kind', entries(figures.faultsByKind)],
    ['  by operation', entries(figures.faultsByOperation)],
    ['succeeded', figures.succeeded],
    ['failed with a typed error', figures.failedTyped],
    ['  by error', entries(figures.failuresByError)],
    ['failed with an untyped error', figures.failedUntyped],
    ['retries / restarts (successes)', `${figures.retries} / ${figures.restarts}`],
    ['torn sources', entries(figures.tornSources)],
    ['documents whose bytes differ', figures.corruptDocuments],
    ['superseded corrupt versions', figures.supersededCorruptVersions],
    ['corrupt, reported as ChecksumMismatch', figures.reportedCorruptDocuments],
    ['uploads stored nowhere / twice', `${figures.missingDocuments} / ${figures.duplicateVersions}`],
    ['handlers left after logout', figures.handlersLeft],
    ['handlers unexplained before logout', figures.handlersUnexplained],
    ['partial files at destinations', figures.partialFiles],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return ['fault matrix', ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}

export async function writeFigures(file: string, figures: Figures): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(figures, null, 2)}\n`);
}
