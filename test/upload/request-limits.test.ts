// A server that resets the connection on a request body it will not take, as classic ASP.NET can
// past maxRequestLength: the upload goes on with half the chunk size, and the session
// starts its next upload there.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession, type SessionWarning } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
const LIMIT = 600_000;

/** Forwards to the emulator, but resets any connection whose UploadFileChunk request declares more than `limit` bytes. */
async function resettingProxy(target: URL, limit = LIMIT): Promise<{ url: string; resets: () => number; close: () => Promise<void> }> {
  let resets = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    let head = '';
    client.on('data', (data: Buffer) => {
      head = (head + data.toString('latin1', 0, Math.min(data.length, 4096))).slice(-8192);
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (/UploadFileChunk/.test(head) && length > limit) {
        resets += 1;
        upstream.destroy();
        return void client.resetAndDestroy();
      }
      if (/\r\n\r\n/.test(head)) head = '';
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => client.write(data));
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    resets: () => resets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

test('a reset of the first chunk before any reply halves the chunk size, and the session remembers it', async () => {
  const proxy = await resettingProxy(new URL(emulator.url));
  const warnings: SessionWarning[] = [];
  const session = await SrvSession.login({ url: proxy.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => warnings.push(w) });
  const source = randomBytes(CHUNK * 5 + 17);
  try {
    const first = await session.upload(source, '/Public/reset-first.bin', { chunkSize: CHUNK * 4 });
    expect(first).toMatchObject({ bytes: source.length, restarts: 2 });
    expect(session.learned.uploadChunkLimit).toBe(CHUNK);
    expect(warnings.map((w) => w.message)).toEqual([
      'the server refused 1048576-byte chunks as too large; uploading /Public/reset-first.bin in 524288-byte chunks',
      'the server refused 524288-byte chunks as too large; uploading /Public/reset-first.bin in 262144-byte chunks',
      // Once a chunk of the new size passed, the session says once what it learnt, the first request's size in it.
      'the server refused a 1.4 MB request as too large; chunks are kept to 262144 bytes for the rest of the session',
    ]);
    expect(warnings.at(-1)?.severity).toBe('warning');
    const resetsBefore = proxy.resets();
    const second = await session.upload(source, '/Public/reset-second.bin', { chunkSize: CHUNK * 4 });
    expect(second).toMatchObject({ restarts: 0, chunks: 6 });
    expect(proxy.resets()).toBe(resetsBefore);
    expect((await emulator.readDocument('/Public/reset-first.bin')).equals(source)).toBe(true);
    expect(emulator.state().uploadHandlers).toEqual([]);
  } finally {
    await session.close();
    await proxy.close();
  }
});

test('a reset of a first chunk whose request is over 30,000,000 bytes (a Kestrel that will not read it) steps down to the largest chunk under that limit', async () => {
  const proxy = await resettingProxy(new URL(emulator.url), 30_000_000);
  const warnings: SessionWarning[] = [];
  const session = await SrvSession.login({ url: proxy.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => warnings.push(w) });
  const source = randomBytes(33 * 1_048_576);
  try {
    const result = await session.upload(source, '/Public/reset-kestrel.bin', { chunkSize: 32 * 1_048_576 });
    expect(result.restarts).toBe(1);
    expect(proxy.resets()).toBe(1);
    expect(session.learned.maxRequestBytes).toBe(30_000_000);
    expect(Math.ceil((session.learned.uploadChunkLimit ?? 0) / 3) * 4).toBeLessThan(30_000_000);
    expect(warnings.filter((w) => w.severity === 'warning').map((w) => w.message)).toEqual([
      `the server refused a 44.7 MB request as too large; requests are kept under 30,000,000 bytes (the default limit of ASP.NET Core and IIS), in ${session.learned.uploadChunkLimit}-byte chunks for the rest of the session`,
    ]);
    expect((await emulator.readDocument('/Public/reset-kestrel.bin')).equals(source)).toBe(true);
  } finally {
    await session.close();
    await proxy.close();
  }
}, 120_000);
