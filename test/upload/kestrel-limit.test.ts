// Issue 23, part 5: the service on ASP.NET Core's Kestrel refuses a body over 30,000,000 bytes with
// an empty 413. The documented 32 MiB chunk is about 44.7 MB as base64, so an upload asking for it
// must shrink its chunk on the first refusal to the largest whose request fits under that limit,
// store the file intact, teach the session the limit so that its next uploads start below it, and
// say so once. Against the emulator in this process, and against `srv-asmx serve --profile
// aspnetcore` in a process of its own, driven by the library and by the CLI.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { RequestTooLargeError, SrvSession, type SessionWarning } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { runCli, startServe } from '../helpers/run-cli.js';

const MIB = 1_048_576;
const KESTREL_LIMIT = 30_000_000;
/** The notice that names the limit the session learnt. */
const LEARNT = /refused a 44\.7 MB request as too large; requests are kept under 30,000,000 bytes/;

async function downloaded(session: SrvSession, path: string): Promise<Buffer> {
  const copy: Buffer[] = [];
  await session.download(path, new Writable({ write: (chunk: Buffer, _encoding, done) => done(void copy.push(chunk)) }));
  return Buffer.concat(copy);
}

/** The session's warnings that were meant for the user (the CLI prints them without --verbose). */
const told = (warnings: readonly SessionWarning[]) => warnings.filter((warning) => warning.severity === 'warning').map((warning) => warning.message);

/** A chunk whose base64 still fits under Kestrel's limit, and larger than what halving 32 MiB would give. */
function expectLearntChunk(chunkLimit: number | undefined): void {
  expect(chunkLimit).toBeDefined();
  expect(Math.ceil((chunkLimit ?? 0) / 3) * 4).toBeLessThan(KESTREL_LIMIT);
  expect(chunkLimit).toBeGreaterThan(16 * MIB);
}

describe('aspnetcore (Kestrel, MaxRequestBodySize 30,000,000)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ profile: 'aspnetcore' });
  });
  afterAll(() => emulator.close());

  it('a 40 MiB upload asking for 32 MiB chunks is refused once, stored intact in chunks under the limit, and the session says so once', async () => {
    const warnings: SessionWarning[] = [];
    const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
    try {
      const source = randomBytes(40 * MIB);
      const first = await session.upload(source, '/Public/big.bin', { chunkSize: 32 * MIB });
      expect((await downloaded(session, '/Public/big.bin')).equals(source)).toBe(true);
      expect(first.restarts).toBe(1);
      const refusals = warnings.filter((warning) => warning.error !== undefined);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]?.error).toBeInstanceOf(RequestTooLargeError);
      expect((refusals[0]?.error as RequestTooLargeError).httpStatus).toBe(413);
      expect(session.learned.maxRequestBytes).toBe(KESTREL_LIMIT);
      expectLearntChunk(session.learned.uploadChunkLimit);
      expect(first.chunks).toBe(Math.ceil(source.length / (session.learned.uploadChunkLimit ?? 1)));

      // The next upload of the session starts under the limit: nothing is refused, nothing more is told.
      const again = randomBytes(40 * MIB);
      const second = await session.upload(again, '/Public/big-again.bin', { chunkSize: 32 * MIB });
      expect(second.restarts).toBe(0);
      expect((await downloaded(session, '/Public/big-again.bin')).equals(again)).toBe(true);
      expect(warnings.filter((warning) => warning.error !== undefined)).toHaveLength(1);
      expect(told(warnings)).toHaveLength(1);
      expect(told(warnings)[0]).toMatch(LEARNT);
      expect(emulator.state().uploadHandlers).toEqual([]);
    } finally {
      await session.close();
    }
  }, 120_000);

  it('a server whose limit is lower still: chunks under 30,000,000 bytes are refused too, and halving finds the size', async () => {
    const lower = await startEmulator({ profile: 'aspnetcore', maxBodyBytes: 10_000_000 });
    const warnings: SessionWarning[] = [];
    const session = await SrvSession.login({ url: lower.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
    try {
      const source = randomBytes(33 * MIB);
      await session.upload(source, '/Public/lower.bin', { chunkSize: 32 * MIB });
      expect((await lower.readDocument('/Public/lower.bin')).equals(source)).toBe(true);
      const limit = session.learned.uploadChunkLimit ?? 0;
      expect(Math.ceil(limit / 3) * 4).toBeLessThan(10_000_000);
      expect(session.learned.maxRequestBytes).toBeUndefined();
      expect(told(warnings)).toEqual([`the server refused a 44.7 MB request as too large; chunks are kept to ${limit} bytes for the rest of the session`]);
    } finally {
      await session.close();
      await lower.close();
    }
  }, 120_000);
});

describe('`srv-asmx serve --profile aspnetcore`, an emulator in a process of its own (the built CLI)', () => {
  it('takes a 40 MiB upload asking for 32 MiB chunks, from the library and from `srv-asmx upload`, which says once what it learnt', async () => {
    const serve = await startServe(['--profile', 'aspnetcore']);
    const dir = await mkdtemp(join(tmpdir(), 'srv-kestrel-'));
    try {
      const warnings: SessionWarning[] = [];
      const session = await SrvSession.login({ url: serve.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
      try {
        const source = randomBytes(40 * MIB);
        await session.upload(source, '/Public/served.bin', { chunkSize: 32 * MIB });
        expect((await downloaded(session, '/Public/served.bin')).equals(source)).toBe(true);
        expect(session.learned.maxRequestBytes).toBe(KESTREL_LIMIT);
        expect(told(warnings)).toHaveLength(1);
      } finally {
        await session.close();
      }

      const file = join(dir, 'cli.bin');
      const content = randomBytes(40 * MIB);
      await writeFile(file, content);
      const env = { SRV_ASMX_URL: serve.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' };
      const upload = await runCli(['upload', file, '/Public/cli.bin', '--chunk-size', String(32 * MIB)], { env });
      expect(upload.code).toBe(0);
      expect(upload.stderr.split('\n').filter((line) => LEARNT.test(line))).toHaveLength(1);
      const back = join(dir, 'back.bin');
      expect((await runCli(['download', '/Public/cli.bin', back], { env })).code).toBe(0);
      expect((await readFile(back)).equals(content)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
      expect((await serve.stop()).code).toBe(0);
    }
  }, 240_000);
});
