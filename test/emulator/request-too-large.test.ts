// Issue 11, case 16: against a server with a 1 MB body limit, a client sending 4 MiB chunks must
// receive the 413 (not EPIPE or a reset: the emulator reads the refused body before it answers),
// halve its chunk until one fits, and store the document. With the emulator in a process of its
// own, a reply sent before the body was read reached the client as EPIPE/ECONNRESET instead.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { startEmulator } from '../../src/emulator/index.js';
import type { ProfileName, RunningEmulator } from '../../src/emulator/index.js';
import { RequestTooLargeError, SrvSession, type SessionWarning, type SoapVersion } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';
import { startServe } from '../helpers/run-cli.js';

const MIB = 1_048_576;
const LIMIT = 1_000_000;

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe.each([
  ['documented', '1.1'],
  ['documented', '1.2'],
  ['minimal', '1.1'],
] as const satisfies ReadonlyArray<readonly [ProfileName, SoapVersion]>)('%s, SOAP %s, maxBodyBytes 1 000 000', (profile, soapVersion) => {
  it('SrvSession.upload in 4 MiB chunks meets the 413, halves its chunk until it fits, and stores the document', async () => {
    const running = await startEmulator({ profile, maxBodyBytes: LIMIT });
    emulator = running;
    const warnings: SessionWarning[] = [];
    const session = await SrvSession.login({ url: running.url, user: 'demo', password: 'demo', soapVersion, retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
    try {
      const source = randomBytes(4 * MIB + 1000);
      const result = await session.upload(source, '/Public/limited.bin', { chunkSize: 4 * MIB });
      expect((await running.readDocument('/Public/limited.bin')).equals(source)).toBe(true);
      // 4 MiB, 2 MiB and 1 MiB are over the limit as base64; 512 KiB (about 700 KB) fits.
      const refusals = warnings.filter((warning) => /refused \d+-byte chunks as too large/.test(warning.message));
      expect(refusals.map((warning) => /refused (\d+)-byte/.exec(warning.message)?.[1])).toEqual(['4194304', '2097152', '1048576']);
      expect(refusals.every((warning) => warning.error instanceof RequestTooLargeError && warning.error.message.includes('413'))).toBe(true);
      expect(warnings.filter((warning) => warning.error !== undefined && !(warning.error instanceof RequestTooLargeError)).map((warning) => warning.message)).toEqual([]);
      expect(session.learned.uploadChunkLimit).toBe(MIB / 2);
      expect(result.restarts).toBe(3);
      expect(running.state().uploadHandlers).toEqual([]);
    } finally {
      await session.close();
    }
  });
});

it('the same against `srv-asmx serve --max-body 1000000`, an emulator in a process of its own (the built CLI)', async () => {
  const serve = await startServe(['--max-body', String(LIMIT)]);
  const warnings: SessionWarning[] = [];
  try {
    const session = await SrvSession.login({ url: serve.url, user: 'demo', password: 'demo', retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
    try {
      const source = randomBytes(4 * MIB + 1000);
      await session.upload(source, '/Public/limited.bin', { chunkSize: 4 * MIB });
      const copy: Buffer[] = [];
      await session.download('/Public/limited.bin', new Writable({ write: (chunk: Buffer, _encoding, done) => done(void copy.push(chunk)) }));
      expect(Buffer.concat(copy).equals(source)).toBe(true);
      expect(session.learned.uploadChunkLimit).toBe(MIB / 2);
      expect(warnings.filter((warning) => warning.error !== undefined && !(warning.error instanceof RequestTooLargeError)).map((warning) => warning.message)).toEqual([]);
    } finally {
      await session.close();
    }
  } finally {
    expect((await serve.stop()).code).toBe(0);
  }
});
