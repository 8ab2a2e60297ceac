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

/**
 * A source file changed while it is uploaded: rewritten in place (same size, other bytes) or appended to, once,
 * when the upload has sent `afterChunks` chunks. The client must fail with SourceChangedError or, with
 * onSourceChange 'restart', store the new content: never a mix of the two.
 */
export interface TornSource {
  readonly change: 'rewrite' | 'append';
  readonly afterChunks: number;
  /** Bytes added by an append. */
  readonly appended: number;
  readonly onSourceChange: 'fail' | 'restart';
}

export interface UploadCase {
  readonly transfer: 'upload';
  readonly size: number;
  /**
   * The destination already holds these very bytes, as its latest version: a finalize whose reply is lost can then
   * be settled only by a new version, never by the latest CRC-32.
   */
  readonly sameBytes: boolean;
  readonly source: UploadSourceKind;
  /** Only for file sources. */
  readonly torn: TornSource | undefined;
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
/** The share of file sources that change while they are uploaded. */
const TORN_SHARE = 0.4;
/** The share of uploads onto a document whose latest version has the very same bytes. */
const SAME_BYTES_SHARE = 0.2;

function tornSource(random: SeededRandom, size: number): TornSource {
  // An empty file cannot be rewritten with other bytes of its size.
  const change = size === 0 ? 'append' : random.pick(['rewrite', 'append'] as const);
  return { change, afterChunks: random.int(1, chunksOf(size)), appended: random.int(1, CHUNK + 3), onSourceChange: random.pick(['fail', 'restart'] as const) };
}

function uploadCase(random: SeededRandom, size: number): UploadCase {
  const finalizing = random.pick(Object.keys(FINALIZER_OPS) as Finalizing[]);
  const targets: FaultTarget[] = [
    { op: 'UploadFileChunk', calls: chunksOf(size) + 1, weight: 5 },
    { op: 'CreateUploadHandler', calls: 2, weight: 2 },
    { op: FINALIZER_OPS[finalizing], calls: 2, weight: 2 },
    { op: 'DeleteUploadHandler', calls: 1, weight: 1 },
    { op: 'DocumentExists', calls: 1, weight: 1 },
    // What settles a finalize whose reply was lost, and checks the stored version without filehexcrc.
    { op: 'GetDocumentVersions', calls: 2, weight: 1 },
    { op: 'GetDownloadInfoByVersion', calls: 1, weight: 1 },
    { op: 'AuthenticateUser', calls: 1, weight: 1 },
  ];
  const source = random.pick<UploadSourceKind>(['buffer', 'file', 'stream']);
  const torn = source === 'file' && random.chance(TORN_SHARE) ? tornSource(random, size) : undefined;
  const sameBytes = torn === undefined && finalizing !== 'new' && random.chance(SAME_BYTES_SHARE);
  return { transfer: 'upload', size, sameBytes, source, torn, finalizing, faults: planFaults(random, { targets }) };
}

function downloadCase(random: SeededRandom, size: number): DownloadCase {
  const byVersion = random.chance(0.3);
  const targets: FaultTarget[] = [
    { op: 'DownloadFileChunk', calls: chunksOf(size) + 1, weight: 5 },
    { op: byVersion ? 'GetDownloadHandlerByVersion' : 'GetDownloadHandler', calls: 2, weight: 2 },
    { op: 'DeleteDownloadHandler', calls: 2, weight: 2 },
    { op: 'AuthenticateUser', calls: 1, weight: 1 },
  ];
  const destination = random.pick(['file', 'writable'] as const);
  return { transfer: 'download', size, destination, byVersion, faults: planFaults(random, { targets }) };
}

export function nextCase(random: SeededRandom): TransferCase {
  const size = random.pick(SIZES);
  return random.chance(0.5) ? uploadCase(random, size) : downloadCase(random, size);
}
