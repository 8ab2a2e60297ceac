// What an earlier run left is bound to the version the server staged, not to its size and CRC-32
// alone: a new version of the same size and CRC-32 (forged here, as a collision would make it) must
// never be spliced with the old one's kept bytes. Against a scripted service whose grants say, or
// do not say, which version they stage.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../helpers/nock.js';
import { AbortError } from '../../src/errors.js';
import { crc32 } from '../../src/integrity/crc32.js';
import type { SrvSession } from '../../src/session/session.js';
import { forceCrc } from '../helpers/crc-forge.js';
import { FakeSrv } from '../helpers/fake-srv.js';

const CHUNK = 262_144;
const CHUNKS = 8;
const PATH = '/Public/versions.bin';

let srv: FakeSrv;
let session: SrvSession;
let dir: string;
let target: string;
let grant: Record<string, string | undefined>;

const OLD = randomBytes(CHUNKS * CHUNK);
/** The next version: other bytes in chunks 1 and 6, each with the same CRC-32 effect, so that any splice of the two has OLD's size and CRC-32. */
const NEW = (() => {
  const bytes = Buffer.from(OLD);
  for (const chunk of [1, 6]) {
    const start = chunk * CHUNK;
    randomBytes(1000).copy(bytes, start + 10);
    forceCrc(bytes, start + 2000, crc32(OLD));
    // The change of this chunk alone leaves the CRC-32 as it was: the other chunk is as in OLD.
    const alone = Buffer.from(OLD);
    bytes.copy(alone, start, start, start + CHUNK);
    if (crc32(alone) !== crc32(OLD)) throw new Error('the forged change does not stand alone');
  }
  return bytes;
})();

beforeEach(async () => {
  srv = new FakeSrv();
  srv.documents.set(PATH, OLD);
  grant = {};
  srv.intercept((request, _nth, standard) => {
    if (request.op !== 'GetDownloadHandler') return undefined;
    const reply = standard();
    for (const [name, value] of Object.entries(grant)) {
      if (value === undefined) delete reply.attributes[name];
      else reply.attributes[name] = value;
    }
    return reply;
  });
  session = await srv.login();
  dir = await mkdtemp(join(tmpdir(), 'resume-identity-'));
  target = join(dir, 'versions.bin');
});
afterEach(async () => {
  session.client.close();
  await rm(dir, { recursive: true, force: true });
});

/** A download with resume, one chunk at a time, cancelled once four chunks are stored. */
async function interrupted(): Promise<void> {
  const controller = new AbortController();
  const onProgress = ({ chunks }: { chunks: number }) => chunks >= 4 && controller.abort();
  await expect(session.download(PATH, target, { chunkSize: CHUNK, concurrency: 1, resume: true, signal: controller.signal, onProgress })).rejects.toBeInstanceOf(AbortError);
}

const resumed = () => session.download(PATH, target, { chunkSize: CHUNK, concurrency: 1, resume: true });

test('the forged versions: same size and CRC-32, different bytes', () => {
  expect([NEW.length, crc32(NEW), NEW.equals(OLD)]).toEqual([OLD.length, crc32(OLD), false]);
});

describe.each([
  ['ModificationDate changes', { ModificationDate: '2025-01-02' }, { ModificationDate: '2025-03-04' }],
  ['VersionNumber changes (a server that names the latest version)', { VersionNumber: '1000000' }, { VersionNumber: '2000000' }],
  ['ModificationDate is given the first time only', { ModificationDate: '2025-01-02' }, { ModificationDate: undefined }],
  ['VersionNumber is given the second time only', { VersionNumber: undefined }, { VersionNumber: '0' }],
])('a new version of the same size and CRC-32 when %s', (_when, before, after) => {
  test('starts over and delivers the new version, never a splice of the two', async () => {
    grant = before;
    await interrupted();
    srv.documents.set(PATH, NEW);
    grant = after;
    const result = await resumed();
    expect((await readFile(target)).equals(NEW)).toBe(true);
    expect(result.resumedBytes).toBe(0);
  });
});

test('the same version, as the grant says it again, is gone on with', async () => {
  await interrupted();
  const result = await resumed();
  expect((await readFile(target)).equals(OLD)).toBe(true);
  expect(result.resumedBytes).toBe(4 * CHUNK);
});

test('a server that names no version at all: the same requested version, size and CRC-32 are gone on with', async () => {
  grant = { ModificationDate: undefined, VersionNumber: undefined };
  await interrupted();
  const result = await resumed();
  expect((await readFile(target)).equals(OLD)).toBe(true);
  expect(result.resumedBytes).toBe(4 * CHUNK);
});
