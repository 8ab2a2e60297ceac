// Whether a finalize stored this upload's bytes, when its reply cannot say (lost, or no filehexcrc
// proved the staged bytes): the document's versions just before the finalize are set against those
// after it, and a new version proves the upload stored only when its size and CRC-32 are the
// upload's (GetDownloadInfoByVersion); new versions none of which has them are told apart from no
// new version at all. A server that cannot list versions is asked for the latest CRC-32 instead,
// which proves nothing where the latest version had these very bytes already.
import { setTimeout as delay } from 'node:timers/promises';
import { messageOf, NotFoundError } from '../../errors.js';
import { crcToHex, parseHexCrc } from '../../integrity/crc32.js';
import type { ServicePort } from '../../calls/port.js';
import type { CallOptions } from '../../soap/client.js';
import { documentExists } from '../lookups.js';

/** What the service held of the document just before the finalize. */
export type Snapshot =
  | { readonly by: 'versions'; readonly numbers: ReadonlySet<number> }
  /** The latest version's CRC-32; null when there was no document. */
  | { readonly by: 'latest-crc'; readonly crc: number | null }
  | { readonly by: 'nothing'; readonly why: string; readonly error?: unknown };

/** What the service holds of the upload's bytes since the snapshot. */
export type Found =
  | { readonly kind: 'stored'; readonly versionNumber: number | undefined }
  | { readonly kind: 'absent' }
  /** Versions were stored since the snapshot, none with the upload's bytes: another writer's, or the upload's stored wrong. */
  | { readonly kind: 'other' }
  | { readonly kind: 'unknown'; readonly why: string; readonly error?: unknown };

/** The bytes the upload staged. */
export interface Bytes {
  readonly bytes: number;
  readonly crc: number;
}

/** Between looks while a finalize may still be running: from this, doubling. */
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 4_000;
/** How long a finalize that may still be running is waited for, where the call names no time limit. */
const DEFAULT_WAIT_MS = 120_000;

export class Settlement {
  constructor(
    private readonly port: ServicePort,
    private readonly path: string,
  ) {}

  /** The document's versions before the finalize; its latest CRC-32 where the server lists none. */
  async snapshot(call: CallOptions): Promise<Snapshot> {
    const { learned } = this.port;
    if (learned.listsVersions !== false) {
      const listed = await this.port.attempt('GetDocumentVersions', { Path: this.path }, call);
      if (listed.ok) return { by: 'versions', numbers: new Set(listed.value.Versions.map((version) => version.Number)) };
      if (listed.failure.error instanceof NotFoundError) return { by: 'versions', numbers: new Set() };
      // A server that refuses the call for what it is does not list versions: the session stops asking.
      if (listed.failure.kind === 'refused' || listed.failure.kind === 'permanent') learned.listsVersions = false;
    }
    try {
      const crc = await this.latestCrc(call);
      return crc === undefined ? { by: 'nothing', why: 'the server reports no CRC32LASTVERSION' } : { by: 'latest-crc', crc };
    } catch (error) {
      return { by: 'nothing', why: `the document could not be looked at before the finalize: ${messageOf(error)}`, error };
    }
  }

  /**
   * A version of `staged` stored since `before`. `wait`: the finalize may still be running (the
   * client or a gateway gave up waiting for it), so an absent version is looked for again, with
   * pauses, until the call's time limit has passed once more.
   */
  async find(before: Snapshot, staged: Bytes, call: CallOptions, wait: boolean): Promise<Found> {
    const until = performance.now() + (wait ? (call.timeoutMs ?? DEFAULT_WAIT_MS) : 0);
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      const found = await this.look(before, staged, call);
      if ((found.kind !== 'absent' && found.kind !== 'other') || performance.now() + pause > until) return found;
      await delay(pause, undefined, { signal: call.signal });
    }
  }

  private async look(before: Snapshot, staged: Bytes, call: CallOptions): Promise<Found> {
    try {
      if (before.by === 'versions') return await this.newVersionOf(before.numbers, staged, call);
      if (before.by === 'nothing') return { kind: 'unknown', why: before.why, error: before.error };
      const latest = await this.latestCrc(call);
      if (latest === undefined) return { kind: 'unknown', why: 'the server reports no CRC32LASTVERSION' };
      if (latest !== staged.crc) return latest === null || latest === before.crc ? { kind: 'absent' } : { kind: 'other' };
      if (before.crc === staged.crc) {
        return { kind: 'unknown', why: `the latest version had CRC-32 ${crcToHex(staged.crc)} before the finalize too, and the server lists no versions to tell a new one from it` };
      }
      return { kind: 'stored', versionNumber: undefined };
    } catch (error) {
      return { kind: 'unknown', why: `the stored document could not be looked at: ${messageOf(error)}`, error };
    }
  }

  /** The newest version not in `known` whose size and CRC-32 are the upload's. */
  private async newVersionOf(known: ReadonlySet<number>, staged: Bytes, call: CallOptions): Promise<Found> {
    let listed;
    try {
      listed = await this.port.call('GetDocumentVersions', { Path: this.path }, call);
    } catch (error) {
      if (error instanceof NotFoundError) return { kind: 'absent' };
      throw error;
    }
    const added = listed.Versions.filter((version) => !known.has(version.Number));
    const fresh = added.filter((version) => (version.VersionSize ?? staged.bytes) === staged.bytes);
    for (const { Number: versionNumber } of fresh.sort((a, b) => b.Number - a.Number)) {
      const info = await this.port.call('GetDownloadInfoByVersion', { Path: this.path, VersionNumber: versionNumber }, call);
      const crc = parseHexCrc(info.CRC32 ?? '');
      if (crc === undefined) return { kind: 'unknown', why: `the server reports no CRC-32 for version ${versionNumber}` };
      if (info.Size === staged.bytes && crc === staged.crc) return { kind: 'stored', versionNumber };
    }
    return added.length > 0 ? { kind: 'other' } : { kind: 'absent' };
  }

  /** The latest version's CRC-32: null when there is no such document, undefined when the server does not say. */
  private async latestCrc(call: CallOptions): Promise<number | null | undefined> {
    const found = await documentExists(this.port, this.path, call);
    if (found === undefined) return null;
    return found.crc32LastVersion === undefined ? undefined : parseHexCrc(found.crc32LastVersion);
  }}
