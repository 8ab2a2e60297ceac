// Size adaptation over the HTTP bindings: a classic ASMX server (maxRequestLength 4096 KB, its
// default) answers a form over the limit with a text/plain HTTP 500, "Maximum request length
// exceeded.", where SOAP gets a soap:Server fault. Either way the upload halves its chunk until one
// fits, stores the document, and the session remembers the size.
import { randomBytes } from 'node:crypto';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { RequestTooLargeError, SrvSession, type SessionWarning } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const MIB = 1_048_576;

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ profile: 'classic-asmx' });
});
afterAll(() => emulator.close());

test.each([
  ['http-post', 'multipart'],
  ['http-post', 'base64-field'],
  ['soap11', 'multipart'],
] as const)('over %s (%s), 4 MiB chunks to classic ASMX with maxRequestLength 4096 KB halve to 2 MiB', async (binding, chunkEncoding) => {
  const warnings: SessionWarning[] = [];
  const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', binding, chunkEncoding, retry: FAST_RETRY, onWarning: (w) => void warnings.push(w) });
  const path = `/Public/limit-${binding}-${chunkEncoding}.bin`;
  try {
    const source = randomBytes(4 * MIB + 1000);
    const result = await session.upload(source, path, { chunkSize: 4 * MIB });
    expect((await emulator.readDocument(path)).equals(source)).toBe(true);
    // A raw 4 MiB chunk and its form fields are a few hundred bytes over 4 194 304 bytes.
    const refusals = warnings.filter((warning) => /refused \d+-byte chunks as too large/.test(warning.message));
    expect(refusals.map((warning) => warning.message)).toEqual([`the server refused 4194304-byte chunks as too large; uploading ${path} in 2097152-byte chunks`]);
    if (binding === 'http-post') expect(refusals[0]?.error).toBeInstanceOf(RequestTooLargeError);
    expect(warnings.filter((warning) => warning.error !== undefined && !refusals.includes(warning)).map((warning) => warning.message)).toEqual([]);
    expect(result.restarts).toBe(1);
    expect(session.learned.uploadChunkLimit).toBe(2 * MIB);
    expect(emulator.state().uploadHandlers).toEqual([]);
  } finally {
    await session.close();
  }
});
