// The transfers of the fault matrix: random sizes, sources, destinations and finalizers, each with
// its own random fault rules.
import type { FaultRule, OperationName } from '../../src/emulator/index.js';
import { planFaults, type FaultTarget } from './fault-plan.js';
import type { SeededRandom } from './seeded-random.js';

/** The smallest chunk the service grants, so that several chunks stay small. */
export const CHUNK = 262_144;
export const SIZES: readonly number[] = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5];

export type UploadSourceKind = 'buffer' | 'file' | 'stream';
/** Which finalizer stores the upload: by path with no metadata, a comment, a manual version or descriptive metadata, or as a new document in a folder. */
export type Finalizing = 'plain' | 'comment' | 'version' | 'description' | 'new';

export interface UploadCase {
  readonly transfer: 'upload';
  readonly size: number;
  readonly source: UploadSourceKind;
  readonly finalizing: Finalizing;
  readonly faults: readonly FaultRule[];
}

export interface DownloadCase {
  readonly transfer: 'download';
  readonly size: number;
  readonly destination: 'file' | 'writable';
  readonly byVersion: boolean;
  readonly faults: readonly FaultRule[];
}

export type TransferCase = UploadCase | DownloadCase;

const FINALIZER_OPS: Readonly<Record<Finalizing, OperationName>> = {
  plain: 'UploadDocumentWithHandler',
  comment: 'UploadDocumentWithHandler1',
  version: 'UploadDocumentWithHandler2',
  description: 'UploadDocumentWithHandler3',
  new: 'UploadNewDocumentWidthHandler',
};

const chunksOf = (size: number): number => Math.max(1, Math.ceil(size / CHUNK));

function uploadCase(random: SeededRandom, size: number, corruptAppends: boolean): UploadCase {
  const finalizing = random.pick(Object.keys(FINALIZER_OPS) as Finalizing[]);
  const targets: FaultTarget[] = [
    { op: 'UploadFileChunk', calls: chunksOf(size) + 1, weight: 5 },
    { op: 'CreateUploadHandler', calls: 2, weight: 2 },
    { op: FINALIZER_OPS[finalizing], calls: 2, weight: 2 },
    { op: 'DeleteUploadHandler', calls: 1, weight: 1 },
    { op: 'DocumentExists', calls: 1, weight: 1 },
    { op: 'AuthenticateUser', calls: 1, weight: 1 },
  ];
  const source = random.pick<UploadSourceKind>(['buffer', 'file', 'stream']);
  return { transfer: 'upload', size, source, finalizing, faults: planFaults(random, { targets, corruptAppends }) };
}

function downloadCase(random: SeededRandom, size: number, corruptAppends: boolean): DownloadCase {
  const byVersion = random.chance(0.3);
  const targets: FaultTarget[] = [
    { op: 'DownloadFileChunk', calls: chunksOf(size) + 1, weight: 5 },
    { op: byVersion ? 'GetDownloadHandlerByVersion' : 'GetDownloadHandler', calls: 2, weight: 2 },
    { op: 'DeleteDownloadHandler', calls: 2, weight: 2 },
    { op: 'AuthenticateUser', calls: 1, weight: 1 },
  ];
  const destination = random.pick(['file', 'writable'] as const);
  return { transfer: 'download', size, destination, byVersion, faults: planFaults(random, { targets, corruptAppends }) };
}

export function nextCase(random: SeededRandom, corruptAppends: boolean): TransferCase {
  const size = random.pick(SIZES);
  return random.chance(0.5) ? uploadCase(random, size, corruptAppends) : downloadCase(random, size, corruptAppends);
}
