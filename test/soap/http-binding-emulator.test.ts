// Round trips over the HTTP bindings against the emulator, in every server profile: a multi-chunk
// upload (the chunks as raw multipart parts) and its download come back byte for byte, and no
// handler is left behind; over http-get the calls the WSDL declares on GET go by GET, those that
// carry the ticket only when the user asks for it knowingly (ticketInUrl).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession, type SessionWarning } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { PROFILES } from '../helpers/profiles.js';

const CHUNK = 262_144;

describe.each(PROFILES)('against a %s server', (profile) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ profile });
  });
  afterAll(() => emulator.close());

  test.each([
    ['http-post', false],
    ['http-get', false],
    ['http-get', true],
  ] as const)('upload and download over %s (ticketInUrl: %s)', async (binding, ticketInUrl) => {
    const warnings: SessionWarning[] = [];
    const methods: string[] = [];
    const session = await SrvSession.login({
      url: emulator.url, user: 'demo', password: 'demo', binding, ticketInUrl, retry: FAST_RETRY,
      onWarning: (w) => warnings.push(w),
      onExchange: (record) => methods.push(`${record.request.body === '' ? 'GET' : 'POST'} ${record.operation}`),
    });
    try {
      const bytes = randomBytes(CHUNK * 2 + 1234);
      const uploaded = await session.upload(bytes, `/Public/http-${binding}.bin`, { chunkSize: CHUNK });
      expect((await emulator.readDocument(`/Public/http-${binding}.bin`)).equals(bytes)).toBe(true);
      const dir = await mkdtemp(join(tmpdir(), 'srv-http-binding-'));
      const downloaded = await session.download(`/Public/http-${binding}.bin`, join(dir, 'back.bin'), { chunkSize: CHUNK });
      expect((await readFile(join(dir, 'back.bin'))).equals(bytes)).toBe(true);
      expect(downloaded).toMatchObject({ bytes: bytes.length, crc32: uploaded.crc32, chunks: 3 });
      await rm(dir, { recursive: true, force: true });
      expect(emulator.state().uploadHandlers).toEqual([]);
      expect(emulator.state().downloadHandlers).toEqual([]);
      if (binding === 'http-get') {
        const notices = warnings.filter((w) => w.kind === 'notice').map((w) => w.message);
        expect(notices).toContain('UploadFileChunk goes by HTTP POST, not GET: the WSDL declares on GET only the calls that are safe in a URL (never a password or a chunk)');
        expect(methods).toContain(`${ticketInUrl ? 'GET' : 'POST'} DeleteDownloadHandler`);
        const inUrls = notices.filter((message) => message.startsWith('the ticket goes in the URLs'));
        expect(inUrls).toHaveLength(ticketInUrl ? 1 : 0);
      }
    } finally {
      await session.close();
    }
  });
});
