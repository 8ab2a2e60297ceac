// What must hold after any hostile input: the emulator still serves a normal client, nothing was
// written outside its data directory, and every stored name is one the path API can reach again.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LOCK_FILE, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession } from '../../src/index.js';
import { login, soap } from '../emulator/helpers.js';

const GUID_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(upload|download)$/;
const FAST_RETRY = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
let serial = 0;

/** A normal client's login, upload, download and lookup, in full. */
export async function expectServing(emulator: RunningEmulator): Promise<void> {
  const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', retry: FAST_RETRY });
  try {
    const path = `/Public/health-${++serial}.txt`;
    const bytes = Buffer.from(`still serving ${serial}`);
    await session.upload(bytes, path);
    const received: Buffer[] = [];
    await session.download(path, new Writable({ write: (chunk: Buffer, _encoding, done) => done(void received.push(chunk)) }));
    expect(Buffer.concat(received).equals(bytes)).toBe(true);
    expect(await session.exists(path)).toBeDefined();
  } finally {
    await session.close();
  }
}

/** `root` holds only the data directory and the sentinel; the data directory only what the emulator names itself. */
export async function expectConfined(root: string, dataDir: string, sentinel: string): Promise<void> {
  expect((await readdir(root)).sort()).toEqual(['data', sentinel].sort());
  expect((await readdir(dataDir)).sort()).toEqual(['content', LOCK_FILE, 'staging', 'store.json'].sort());
  expect((await readdir(join(dataDir, 'content'))).filter((name) => !/^\d+$/.test(name))).toEqual([]);
  expect((await readdir(join(dataDir, 'staging'))).filter((name) => !GUID_FILE.test(name))).toEqual([]);
}

const unsafeSegment = (segment: string): boolean =>
  segment === '' || segment === '.' || segment === '..' || segment.trim() !== segment || /[\u0000-\u001f\u007f\\]/.test(segment);

/** Folder and document paths with an empty, dot, dot-dot, padded or control-character segment, or a backslash. */
export function unsafePaths(emulator: RunningEmulator): string[] {
  const { documents, folders } = emulator.state();
  return [...folders, ...documents.map((d) => d.path)].filter((path) => !path.startsWith('/') || path.slice(1).split('/').some(unsafeSegment));
}

/** Every folder and document path is clean, and every document is found again by its own path. */
export async function expectReachable(emulator: RunningEmulator): Promise<void> {
  expect(unsafePaths(emulator)).toEqual([]);
  const { documents } = emulator.state();
  const ticket = await login(emulator.url);
  const unreachable: string[] = [];
  for (const { path } of documents) {
    const { result } = await soap(emulator.url, 'DocumentExists', [['authenticationTicket', ticket], ['Path', path]]);
    if (result.attrs.success !== 'true') unreachable.push(path);
  }
  expect(unreachable).toEqual([]);
}
