// Pacing accuracy (issue 22, part 5): what rate `rateLimit` gives over about ten seconds, for an
// upload and a download at three chunk sizes and for uploadMany's shared rate, against an emulator
// process. The rate is the file's bytes over the transfer's wall time, handler calls included.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SrvSession } from '../../src/session/session.js';
import { startServer } from './processes.js';

const MIB = 1_048_576;
/** 1 MiB a second: ten seconds for the ten. */
const RATE = MIB;
const FILE_BYTES = 10 * MIB;
const CHUNK_SIZES = [256 * 1024, MIB, 4 * MIB];
/** The bound: within 10 % over ten seconds. */
const TOLERANCE = 0.1;

export interface PacingResult {
  transfer: 'upload' | 'download' | 'uploadMany, 2 files';
  chunkSize: number;
  bytes: number;
  seconds: number;
}

export async function benchmarkPacing(log: (line: string) => void): Promise<PacingResult[]> {
  const directory = await mkdtemp(join(tmpdir(), 'srv-asmx-bench-pacing-'));
  const emulator = await startServer('src/cli/main.ts', ['serve']);
  const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
  const timed = async (result: Omit<PacingResult, 'seconds'>, work: () => Promise<unknown>): Promise<PacingResult> => {
    log(`pacing: ${result.transfer}, ${result.bytes / MIB} MiB in ${result.chunkSize / 1024} KiB chunks at ${RATE / MIB} MiB/s`);
    const started = performance.now();
    await work();
    return { ...result, seconds: (performance.now() - started) / 1000 };
  };
  try {
    const content = randomBytes(FILE_BYTES);
    const results: PacingResult[] = [];
    for (const chunkSize of CHUNK_SIZES) {
      const path = `/Public/bench-pacing-${chunkSize}.bin`;
      results.push(await timed({ transfer: 'upload', chunkSize, bytes: FILE_BYTES }, () => session.upload(content, path, { chunkSize, rateLimit: RATE })));
      const copy = join(directory, 'copy.bin');
      results.push(await timed({ transfer: 'download', chunkSize, bytes: FILE_BYTES }, () => session.download(path, copy, { chunkSize, rateLimit: RATE, overwrite: true })));
    }
    const halves = [content.subarray(0, FILE_BYTES / 2), content.subarray(FILE_BYTES / 2)];
    const items = halves.map((source, index) => ({ source, destination: `/Public/bench-pacing-shared-${index}.bin`, options: { chunkSize: MIB } }));
    results.push(await timed({ transfer: 'uploadMany, 2 files', chunkSize: MIB, bytes: FILE_BYTES }, () => session.uploadMany(items, { concurrency: 2, rateLimit: RATE })));
    return results;
  } finally {
    await session.close();
    await emulator.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

export function pacingSection(results: readonly PacingResult[]): string {
  const rows = results.map(({ transfer, chunkSize, bytes, seconds }) => {
    const rate = bytes / seconds / MIB;
    const off = rate / (RATE / MIB) - 1;
    const mark = Math.abs(off) <= TOLERANCE ? '✔' : '✘';
    return `| ${transfer} | ${chunkSize / 1024} KiB | ${(bytes / MIB).toFixed(0)} MiB | ${seconds.toFixed(2)} | ${rate.toFixed(3)} | ${(off * 100).toFixed(1)} % ${mark} |`;
  });
  return [
    `## Pacing: rateLimit of ${RATE / MIB} MiB/s over about ten seconds`,
    '',
    `Against an emulator process; the rate is the file's bytes over the transfer's wall time, handler calls included. Target: within ${TOLERANCE * 100} % of the rate.`,
    '',
    '| transfer | chunk | bytes | seconds | MiB/s | off the rate |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}
