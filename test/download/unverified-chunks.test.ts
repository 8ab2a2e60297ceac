// A server that sends no chunkCRC32 (the minimal profile): a chunk's bytes are vouched for only by
// the whole file's CRC-32, so a stream destination receives them only once that matched.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession, type SessionWarning } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
let emulator: RunningEmulator;
let session: SrvSession;
const warnings: SessionWarning[] = [];
const source = randomBytes(CHUNK * 3 + 11);

beforeAll(async () => {
  emulator = await startEmulator({ profile: 'minimal' });
  session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
  await session.upload(source, '/Public/unverified.bin', { chunkSize: CHUNK });
});
afterAll(async () => {
  await session.close();
  await emulator.close();
});

/** A Writable that keeps a copy of every write. */
function collector(): { stream: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
    const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      writes.push(Buffer.from(chunk));
      done();
    },
  });
  return { writes, stream };
}

test('a corrupted chunk never reaches the stream: the whole-file CRC-32 restarts the download first', async () => {
  emulator.faults.add({ op: 'DownloadFileChunk', kind: 'corrupt', at: [2] });
  const { stream, writes } = collector();
  const result = await session.download('/Public/unverified.bin', stream, { chunkSize: CHUNK });
  expect(result.restarts).toBe(1);
  expect(Buffer.concat(writes).equals(source)).toBe(true);
  expect(emulator.state().downloadHandlers).toEqual([]);
});

test('the held bytes leave no temporary file behind', async () => {
  const before = (await readdir(tmpdir())).filter((name) => name.startsWith('srv-asmx-held-'));
  const { stream, writes } = collector();
  await session.download('/Public/unverified.bin', stream, { chunkSize: CHUNK });
  expect(Buffer.concat(writes).equals(source)).toBe(true);
  expect((await readdir(tmpdir())).filter((name) => name.startsWith('srv-asmx-held-'))).toEqual(before);
});
