// The default concurrency ('auto') against the two servers issue 22 names, each compared with one
// read at a time on the same server: a server that serves one connection at a time, where more
// reads in flight only queue, so the default must take at most 1.5 times as long; and one where
// every DownloadFileChunk costs 200 ms, a round trip between sites, where the default must take at
// most 0.45 times as long. The bounds are the issue's, generous for what they measure; each
// download is a few seconds at most. A number still fixes the reads in flight: parallel.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { AUTO_MAX_CONCURRENCY, SrvSession, type DownloadOptions } from '../../src/index.js';
import { startWatchingProxy, type WatchingProxy } from '../helpers/watching-proxy.js';

const CHUNK = 262_144;
const PATH = '/Public/adaptive.bin';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'srv-adaptive-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** An emulator holding `content`, watched through a proxy that counts the reads in flight. */
function serving(options: EmulatorOptions, content: Buffer): { readonly proxy: WatchingProxy; readonly session: SrvSession } {
  const running: { emulator?: RunningEmulator; proxy?: WatchingProxy; session?: SrvSession } = {};
  beforeAll(async () => {
    running.emulator = await startEmulator(options);
    running.proxy = await startWatchingProxy(running.emulator.url);
    running.session = await SrvSession.login({ url: running.proxy.url, user: 'demo', password: 'demo' });
    await running.session.upload(content, PATH, { chunkSize: CHUNK });
  });
  afterAll(async () => {
    await running.session?.close();
    await running.proxy?.close();
    await running.emulator?.close();
  });
  return {
    get proxy() {
      return running.proxy as WatchingProxy;
    },
    get session() {
      return running.session as SrvSession;
    },
  };
}

/** Downloads the document to a new file; its bytes and how long it took. */
async function timed(session: SrvSession, name: string, options: DownloadOptions = {}): Promise<{ bytes: Buffer; ms: number }> {
  const target = join(dir, name);
  const started = performance.now();
  await session.download(PATH, target, { chunkSize: CHUNK, ...options });
  return { bytes: await readFile(target), ms: performance.now() - started };
}

describe('against a server that serves one connection at a time', () => {
  const content = randomBytes(20 * CHUNK - 300);
  const server = serving({ oneConnection: true, faults: [{ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 40 }] }, content);

  test('the default takes at most 1.5 times as long as one read at a time, and gets the document byte for byte', async () => {
    // The quicker of two runs each, so that a moment's load on the machine does not decide.
    const serial = [await timed(server.session, 'serial-1a.bin', { concurrency: 1 }), await timed(server.session, 'serial-1b.bin', { concurrency: 1 })];
    server.proxy.reset();
    const adaptive = [await timed(server.session, 'serial-auto-a.bin'), await timed(server.session, 'serial-auto-b.bin')];
    for (const run of [...serial, ...adaptive]) expect(run.bytes.equals(content)).toBe(true);
    expect(Math.min(...adaptive.map((run) => run.ms))).toBeLessThanOrEqual(1.5 * Math.min(...serial.map((run) => run.ms)));
    // It tried more than one read in flight, and did not grow to its most, which would only queue.
    expect(server.proxy.maxInFlight).toBeGreaterThan(1);
    expect(server.proxy.maxInFlight).toBeLessThan(AUTO_MAX_CONCURRENCY);
  });
});

describe('against a server where every DownloadFileChunk costs 200 ms', () => {
  // Enough reads that the few rounds the default takes to grow weigh as little as in a real download
  // (with 16, they made it 0.40–0.45 of one at a time on a loaded machine; with 24, about 0.3).
  const content = randomBytes(24 * CHUNK - 300);
  const server = serving({ faults: [{ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 200 }] }, content);

  test('the default takes at most 0.45 times as long as one read at a time, growing its reads in flight', async () => {
    const serial = await timed(server.session, 'distant-1.bin', { concurrency: 1 });
    expect(serial.bytes.equals(content)).toBe(true);
    server.proxy.reset();
    const adaptive = await timed(server.session, 'distant-auto.bin');
    expect(adaptive.bytes.equals(content)).toBe(true);
    expect(adaptive.ms).toBeLessThanOrEqual(0.45 * serial.ms);
    expect(server.proxy.maxInFlight).toBeGreaterThan(2);
    expect(server.proxy.maxInFlight).toBeLessThanOrEqual(AUTO_MAX_CONCURRENCY);
  });

  test('a number still fixes the reads in flight', async () => {
    server.proxy.reset();
    const fixed = await timed(server.session, 'distant-2.bin', { concurrency: 2 });
    expect(fixed.bytes.equals(content)).toBe(true);
    expect(server.proxy.maxInFlight).toBe(2);
  });
});
