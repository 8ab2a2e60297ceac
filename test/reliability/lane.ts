// A lane of the fault matrix: its own emulator (of one server profile), binding and scratch directory, holding one
// document of every size for the downloads. A lane runs one transfer at a time, so the faults it
// adds hit that transfer only; lanes run side by side.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type ProfileName, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession, type LoginOptions } from '../../src/index.js';
import { CHUNK, SIZES } from './cases.js';
import type { SeededRandom } from './seeded-random.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { hostileFront } from './hostile-front.js';

export { FAST_RETRY };
/** A bound on every call, so that no fault can hang the matrix. */
const CALL_TIMEOUT_MS = 15_000;
const USER = 'matrix';
const PASSWORD = 'matrix-password';

export type LaneBinding = 'soap11' | 'soap12' | 'http-post';

export interface LaneSpec {
  readonly name: string;
  /** The server the lane's emulator behaves like. */
  readonly profile: ProfileName;
  /** The WSDL binding the lane's calls go by: SOAP 1.1 or 1.2, or HTTP POST (a chunk as a raw multipart part). */
  readonly binding: LaneBinding;
  /** Whether the emulator reports `filehexcrc` on the last chunk (a `minimal` server never does). */
  readonly fileHexCrc: boolean;
  /** 'hostile': calls go through a front that pins sessions by cookie, gzips replies and closes idle connections at once (hostile-front.ts). */
  readonly front: 'direct' | 'hostile';
}

export interface Lane extends LaneSpec {
  readonly emulator: RunningEmulator;
  /** Sources and download destinations. */
  readonly dir: string;
  /** The bytes of `seedPath(size)`, by size. */
  readonly documents: ReadonlyMap<number, Buffer>;
  loginOptions(): LoginOptions;
  close(): Promise<void>;
}

export const seedPath = (size: number): string => `/Public/seed-${size}.bin`;

export async function openLane(spec: LaneSpec, random: SeededRandom): Promise<Lane> {
  const emulator = await startEmulator({ profile: spec.profile, fileHexCrc: spec.fileHexCrc, users: [{ user: USER, password: PASSWORD }] });
  const front = spec.front === 'hostile' ? await hostileFront(emulator.url) : undefined;
  const dir = await mkdtemp(join(tmpdir(), `srv-matrix-${spec.name}-`));
  const loginOptions = (): LoginOptions => ({
    url: front?.url ?? emulator.url,
    user: USER,
    password: PASSWORD,
    binding: spec.binding,
    retry: FAST_RETRY,
    timeoutMs: CALL_TIMEOUT_MS,
  });
  const documents = new Map(SIZES.map((size) => [size, random.bytes(size)] as const));
  const session = await SrvSession.login(loginOptions());
  try {
    for (const [size, bytes] of documents) await session.upload(bytes, seedPath(size), { chunkSize: CHUNK });
  } finally {
    await session.close();
  }
  return {
    ...spec,
    emulator,
    dir,
    documents,
    loginOptions,
    close: async () => {
      await front?.close();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
