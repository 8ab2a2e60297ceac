// Runs one transfer of the fault matrix in a fresh session and checks what it left behind: the
// bytes stored or delivered, the handlers still on the emulator, and any partial file.
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { EmulatorState, InjectedFault, OperationName } from '../../src/emulator/index.js';
import { ChecksumMismatchError, SourceChangedError, SrvError, SrvSession, type DocumentMetadata, type SessionWarning, type TransferProgress, type TransferStats } from '../../src/index.js';
import { CHUNK, type DownloadCase, type Finalizing, type TornSource, type TransferCase, type UploadCase } from './cases.js';
import { seedPath, type Lane } from './lane.js';

/** Why a transfer failed. */
export interface Failure {
  /** The error's class name. */
  readonly name: string;
  readonly message: string;
  /** It is an SrvError. */
  readonly typed: boolean;
}

/** How an upload from a source file that changed while it was read ended. */
export type TornEnding = 'source-changed' | 'stored-new' | 'stored-original' | 'failed-otherwise';

export interface Outcome {
  readonly transfer: TransferCase['transfer'];
  /** Undefined when the transfer succeeded. */
  readonly failure: Failure | undefined;
  readonly faults: readonly InjectedFault[];
  /** Stored versions, or delivered bytes, that differ from the source (from each whole version of a torn source). */
  readonly corrupt: number;
  /** Versions that differ from the source, under a latest version that equals it: the client found them and uploaded again. */
  readonly supersededCorrupt: number;
  /**
   * A latest version that differs from the source, of an upload that failed with ChecksumMismatchError: without
   * filehexcrc the client can only check the stored CRC-32 after the finalize, and a new-only document or a stream
   * source cannot be uploaded again over it. Reported to the caller, never silent.
   */
  readonly reportedCorrupt: number;
  /** Set for an upload whose source file changed while it was read. */
  readonly torn: TornEnding | undefined;
  /** A successful upload that stored nothing. */
  readonly missing: number;
  /** Versions stored beyond the one the upload makes. */
  readonly duplicateVersions: number;
  /** Handlers live before logout that neither a lost grant nor a failed delete explains. */
  readonly unexplainedHandlers: number;
  /** Handlers still live after the session logged out. */
  readonly handlersLeft: number;
  /** `.part` files, or a destination file after a failed download. */
  readonly partialFiles: number;
  readonly retries: number;
  readonly restarts: number;
}

/** What the transfer produced, before the session closes. */
interface Check {
  readonly corrupt: number;
  readonly supersededCorrupt: number;
  readonly reportedCorrupt: number;
  readonly missing: number;
  readonly duplicateVersions: number;
  readonly partialFiles: number;
  readonly torn?: TornEnding;
}

/** A handler whose grant reply was lost is unknown to the client; its session discards it. */
const GRANT_OPS: ReadonlySet<OperationName> = new Set<OperationName>(['CreateUploadHandler', 'GetDownloadHandler', 'GetDownloadHandlerByVersion']);
const FAILED_DELETE = /^Delete(Upload|Download)Handler failed/;
const STREAM_PIECE = 100_003;

const METADATA: Readonly<Record<Finalizing, DocumentMetadata | undefined>> = {
  plain: undefined,
  comment: { versionComment: 'fault matrix' },
  version: { version: { major: 1, minor: 2, revision: 3 } },
  description: { description: 'fault matrix', keywords: ['reliability'] },
  new: undefined,
};

const handlerCount = (state: EmulatorState): number => state.uploadHandlers.length + state.downloadHandlers.length;

function pieces(bytes: Buffer): Buffer[] {
  const result: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += STREAM_PIECE) result.push(bytes.subarray(offset, offset + STREAM_PIECE));
  return result;
}

async function countPartFiles(dir: string): Promise<number> {
  return (await readdir(dir)).filter((name) => name.endsWith('.part')).length;
}

/** A transfer ready to run, and the check of what it left. */
interface Prepared {
  work(): Promise<TransferStats>;
  verify(succeeded: boolean, error: unknown): Promise<Check>;
}

/** Changes the source file once, as TornSource says; returns its new content. */
function tear(file: string, bytes: Buffer, torn: TornSource, random: () => Buffer): Buffer {
  if (torn.change === 'append') {
    const extra = random().subarray(0, torn.appended);
    appendFileSync(file, extra);
    return Buffer.concat([bytes, extra]);
  }
  // In place: the same inode and size, other bytes.
  const rewritten = Buffer.from(bytes.map((byte) => byte ^ 0x5a));
  const handle = openSync(file, 'r+');
  try {
    writeSync(handle, rewritten, 0, rewritten.length, 0);
  } finally {
    closeSync(handle);
  }
  return rewritten;
}

/**
 * Versions that differ from every whole version of the source: corrupt, unless a later version is whole, which means
 * the client found them and uploaded again (superseded), or the upload failed saying that the stored CRC-32 does not
 * match (reported). A whole version beyond the first is a duplicate.
 */
function judgeVersions(stored: readonly Buffer[], wholeVersions: readonly Buffer[], error: unknown): Pick<Check, 'corrupt' | 'supersededCorrupt' | 'reportedCorrupt' | 'duplicateVersions'> {
  const whole = stored.map((version) => wholeVersions.some((candidate) => candidate.equals(version)));
  const wrong = whole.filter((ok) => !ok).length;
  const latestWhole = whole.at(-1) === true;
  const reported = !latestWhole && wrong > 0 && error instanceof ChecksumMismatchError;
  return {
    corrupt: latestWhole || reported ? 0 : wrong,
    supersededCorrupt: latestWhole ? wrong : 0,
    reportedCorrupt: reported ? wrong : 0,
    duplicateVersions: Math.max(0, whole.filter((ok) => ok).length - 1),
  };
}

function tornEnding(succeeded: boolean, error: unknown, latest: Buffer | undefined, original: Buffer, changed: Buffer | undefined): TornEnding {
  if (!succeeded) return error instanceof SourceChangedError ? 'source-changed' : 'failed-otherwise';
  return changed !== undefined && latest?.equals(changed) === true && !latest.equals(original) ? 'stored-new' : 'stored-original';
}

async function prepareUpload(lane: Lane, session: SrvSession, spec: UploadCase, bytes: Buffer, name: string, random: () => Buffer): Promise<Prepared> {
  const sourceFile = join(lane.dir, `${name}.source`);
  if (spec.source === 'file') await writeFile(sourceFile, bytes);
  const source = spec.source === 'buffer' ? bytes : spec.source === 'file' ? sourceFile : Readable.from(pieces(bytes));
  const destination = spec.finalizing === 'new' ? { folder: '/Public', name } : `/Public/${name}`;
  const { torn } = spec;
  let changed: Buffer | undefined;
  const onProgress = (progress: TransferProgress): void => {
    if (torn === undefined || changed !== undefined || progress.chunks !== torn.afterChunks) return;
    changed = tear(sourceFile, bytes, torn, random);
  };
  const options = { chunkSize: CHUNK, metadata: METADATA[spec.finalizing], onProgress, ...(torn !== undefined && { onSourceChange: torn.onSourceChange }) };
  // The version the upload's bytes already are, stored before the faults.
  const baseline = spec.sameBytes ? 1 : 0;
  if (spec.sameBytes) await session.upload(bytes, destination, { chunkSize: CHUNK });
  return {
    work: () => session.upload(source, destination, options),
    verify: async (succeeded, error) => {
      await rm(sourceFile, { force: true });
      const path = `/Public/${name}`;
      const versions = lane.emulator.state().documents.find((d) => d.path === path)?.versions ?? [];
      const stored = await Promise.all(versions.map(({ versionNumber }) => lane.emulator.readDocument(path, versionNumber)));
      // A torn source was one file, then another: each stored version must be one of them, whole.
      const judged = judgeVersions(stored, changed === undefined ? [bytes] : [bytes, changed], error);
      return {
        ...judged,
        duplicateVersions: Math.max(0, judged.duplicateVersions - baseline),
        // A success stored a version of its own: with the same bytes already there, one more than before.
        missing: succeeded && versions.length <= baseline ? 1 : 0,
        partialFiles: 0,
        ...(changed !== undefined && { torn: tornEnding(succeeded, error, stored.at(-1), bytes, changed) }),
      };
    },
  };
}

function prepareDownload(lane: Lane, session: SrvSession, spec: DownloadCase, name: string): Prepared {
  const expected = lane.documents.get(spec.size) ?? Buffer.alloc(0);
  const source = spec.byVersion ? { path: seedPath(spec.size), versionNumber: 1_000_000 } : seedPath(spec.size);
  const target = join(lane.dir, `${name}.out`);
  const received: Buffer[] = [];
  const collector = new Writable({ write: (chunk: Buffer, _encoding, done) => done(void received.push(chunk)) });
  return {
    work: () => session.download(source, spec.destination === 'file' ? target : collector, { chunkSize: CHUNK }),
    verify: async (succeeded) => {
      const delivered = spec.destination === 'file' ? await readFile(target).catch(() => undefined) : Buffer.concat(received);
      await rm(target, { force: true });
      // A failed download may have given a stream a verified prefix, never a wrong byte; a file, nothing at all.
      const intact = succeeded
        ? delivered?.equals(expected) === true
        : delivered === undefined || expected.subarray(0, delivered.length).equals(delivered);
      const fileLeft = !succeeded && spec.destination === 'file' && delivered !== undefined ? 1 : 0;
      return { corrupt: intact ? 0 : 1, supersededCorrupt: 0, reportedCorrupt: 0, missing: 0, duplicateVersions: 0, partialFiles: fileLeft + (await countPartFiles(lane.dir)) };
    },
  };
}

function failureOf(error: unknown): Failure {
  const { name, message } = error instanceof Error ? error : { name: typeof error, message: String(error) };
  return { name, message, typed: error instanceof SrvError };
}

/** One transfer with its faults, in a session of its own that is closed before the last check. `random` gives bytes for a torn source. */
export async function runCase(lane: Lane, spec: TransferCase, bytes: Buffer, name: string, random: () => Buffer): Promise<Outcome> {
  const warnings: SessionWarning[] = [];
  const session = await SrvSession.login({ ...lane.loginOptions(), onWarning: (warning) => void warnings.push(warning) });
  const prepared = spec.transfer === 'upload' ? await prepareUpload(lane, session, spec, bytes, name, random) : prepareDownload(lane, session, spec, name);
  const logged = lane.emulator.faults.injected().length;
  for (const rule of spec.faults) lane.emulator.faults.add(rule);
  let stats: TransferStats | undefined;
  let error: unknown;
  try {
    stats = await prepared.work();
  } catch (caught) {
    error = caught;
  }
  lane.emulator.faults.clear();
  const faults = lane.emulator.faults.injected().slice(logged);
  const check = await prepared.verify(stats !== undefined, error);
  const live = handlerCount(lane.emulator.state());
  await session.close();
  const lostGrants = faults.filter((fault) => fault.kind === 'dropReply' && GRANT_OPS.has(fault.op)).length;
  const failedDeletes = warnings.filter((warning) => FAILED_DELETE.test(warning.message)).length;
  return {
    transfer: spec.transfer,
    failure: stats === undefined ? failureOf(error) : undefined,
    faults,
    ...check,
    torn: check.torn,
    unexplainedHandlers: Math.max(0, live - lostGrants - failedDeletes),
    handlersLeft: handlerCount(lane.emulator.state()),
    retries: stats?.retries ?? 0,
    restarts: stats?.restarts ?? 0,
  };
}
