// Behind a load balancer that pins a client to a node by cookie (ARRAffinity), a session keeps the
// cookie and sends it back, so that every call of its transfers reaches the node that holds its
// handlers; the cookie never shows in an exchange record.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { SrvSession, type ExchangeRecord } from '../../src/index.js';
import { PROFILES } from '../helpers/profiles.js';
import { stickyBalancer, type StickyBalancer } from '../helpers/sticky-balancer.js';

const CHUNK = 262_144;

describe.each(PROFILES)('two %s nodes behind a balancer that pins by cookie', (profile) => {
  let nodes: RunningEmulator[];
  let balancer: StickyBalancer;
  let dir: string;

  beforeEach(async () => {
    nodes = await Promise.all([startEmulator({ profile }), startEmulator({ profile })]);
    balancer = await stickyBalancer(nodes.map((node) => node.url));
    dir = await mkdtemp(join(tmpdir(), 'sticky-'));
  });
  afterEach(async () => {
    await balancer.close();
    await Promise.all(nodes.map((node) => node.close()));
    await rm(dir, { recursive: true, force: true });
  });

  test('an upload and a download go through on the node that holds their handlers, and leave none', async () => {
    const records: ExchangeRecord[] = [];
    const session = await SrvSession.login({ url: balancer.url, user: 'demo', password: 'demo', retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 }, onExchange: (r) => records.push(r) });
    const content = randomBytes(CHUNK * 3 + 17);
    try {
      const uploaded = await session.upload(content, '/Public/sticky.bin', { chunkSize: CHUNK });
      expect(uploaded).toMatchObject({ restarts: 0, retries: 0 });
      const target = join(dir, 'sticky.bin');
      const downloaded = await session.download('/Public/sticky.bin', target, { chunkSize: CHUNK });
      expect(downloaded).toMatchObject({ restarts: 0, retries: 0 });
      expect((await readFile(target)).equals(content)).toBe(true);
    } finally {
      await session.close();
    }
    // Every request after the first carried the cookie of the node that answered the first.
    expect(balancer.served.filter((count) => count > 0)).toHaveLength(1);
    for (const node of nodes) expect(node.state()).toMatchObject({ uploadHandlers: [], downloadHandlers: [] });
    const recorded = JSON.stringify(records);
    expect(recorded).not.toMatch(/ARRAffinity=\d/);
  });
});
