// One soak session: logs in once, then uploads a random document, downloads it back into a stream
// that compares every byte with the source as it arrives, and starts again, until the deadline.
import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { SrvError, SrvSession, type LoginOptions, type TransferStats } from '../../src/index.js';

export interface Tally {
  transfers: number;
  bytes: number;
  /** Of the transfers that succeeded. */
  retries: number;
  restarts: number;
  /** Downloads whose bytes differ from what was uploaded. */
  corrupted: number;
  /** Failed transfers, by error class; untyped ones (not an SrvError) under `untyped:` + name. */
  readonly errors: Map<string, number>;
}

export interface WorkerOptions {
  readonly login: LoginOptions;
  readonly index: number;
  readonly deadline: number;
  readonly maxSize: number;
  readonly chunkSize: number;
  readonly tally: Tally;
}

/** Paths a session cycles through, so that documents gain versions rather than multiply. */
const PATHS_PER_SESSION = 3;

/** Mostly small and medium documents, sometimes one near the largest size, sometimes empty. */
function randomSize(maxSize: number): number {
  const roll = Math.random();
  if (roll < 0.05) return 0;
  if (roll < 0.45) return randomInt(1, Math.min(65_536, maxSize) + 1);
  if (roll < 0.9) return randomInt(1, Math.ceil(maxSize / 2) + 1);
  return randomInt(Math.ceil(maxSize / 2), maxSize + 1);
}

/** A stream that checks each chunk against `expected` at its offset, keeping nothing. */
function verifier(expected: Buffer): { sink: Writable; intact: () => boolean } {
  let offset = 0;
  let same = true;
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      same &&= expected.subarray(offset, offset + chunk.length).equals(chunk);
      offset += chunk.length;
      done();
    },
  });
  return { sink, intact: () => same && offset === expected.length };
}

function countError(tally: Tally, error: unknown): void {
  const name = error instanceof SrvError ? error.name : `untyped:${error instanceof Error ? error.name : typeof error}`;
  tally.errors.set(name, (tally.errors.get(name) ?? 0) + 1);
}

async function roundTrip(session: SrvSession, options: WorkerOptions, round: number): Promise<void> {
  const { tally, chunkSize } = options;
  const source = randomBytes(randomSize(options.maxSize));
  const path = `/Public/soak-${options.index}-${round % PATHS_PER_SESSION}.bin`;
  const count = (stats: TransferStats) => {
    tally.transfers += 1;
    tally.bytes += stats.bytes;
    tally.retries += stats.retries;
    tally.restarts += stats.restarts;
  };
  count(await session.upload(source, path, { chunkSize }));
  const { sink, intact } = verifier(source);
  count(await session.download(path, sink, { chunkSize }));
  if (!intact()) tally.corrupted += 1;
}

export async function runWorker(options: WorkerOptions): Promise<void> {
  const session = await SrvSession.login(options.login);
  try {
    for (let round = 0; Date.now() < options.deadline; round += 1) {
      await roundTrip(session, options, round).catch((error: unknown) => countError(options.tally, error));
    }
  } finally {
    await session.close();
  }
}
