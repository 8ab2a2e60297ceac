// Issue 11, case 6: UploadNewDocumentWidthHandler stores new documents only, even when calls for
// one name arrive at the same time: the check and the creation are one step of the store.
import { randomBytes } from 'node:crypto';
import { soap, stage, useEmulator } from './helpers.js';

const PAIRS = 40;

const running = useEmulator();

const newDocument = (name: string, handler: string) =>
  soap(running.emulator.url, 'UploadNewDocumentWidthHandler', [
    ['authenticationTicket', running.ticket],
    ['folderPath', '/Public'],
    ['documentName', name],
    ['uploadHandler', handler],
    ['xmlParameters', ''],
  ]);

const byPath = (name: string, handler: string) =>
  soap(running.emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', running.ticket], ['path', `/Public/${name}`], ['uploadHandler', handler]]);

const versionsOf = (name: string) => running.emulator.state().documents.find((d) => d.path === `/Public/${name}`)?.versions ?? [];

it(`${PAIRS} pairs of simultaneous UploadNewDocumentWidthHandler calls for one name: one succeeds, the other is refused`, async () => {
  const pairs = await Promise.all(
    Array.from({ length: PAIRS }, async (_, n) => {
      const contents = [randomBytes(1000 + n), randomBytes(2000 + n)] as const;
      const handlers = await Promise.all(contents.map((content) => stage(running.emulator.url, running.ticket, content)));
      return { name: `race-${n}.bin`, contents, handlers };
    }),
  );
  const outcomes = await Promise.all(pairs.map(({ name, handlers }) => Promise.all(handlers.map((handler) => newDocument(name, handler)))));
  for (const [n, replies] of outcomes.entries()) {
    const pair = pairs[n];
    if (pair === undefined) throw new Error('no pair');
    const attrs = replies.map((reply) => reply.result.attrs);
    const winners = attrs.flatMap((reply, index) => (reply.success === 'true' ? [index] : []));
    expect([pair.name, winners.length]).toEqual([pair.name, 1]);
    const loser = attrs.find((reply) => reply.success !== 'true');
    expect([pair.name, loser?.error]).toEqual([pair.name, 'Document already exists.']);
    expect([pair.name, versionsOf(pair.name).length]).toEqual([pair.name, 1]);
    const winner = pair.contents[winners[0] ?? -1];
    expect([pair.name, (await running.emulator.readDocument(`/Public/${pair.name}`)).equals(winner ?? Buffer.alloc(0))]).toEqual([pair.name, true]);
  }
  // Both calls consumed their handlers, the refused one too.
  expect(running.emulator.state().uploadHandlers).toEqual([]);
});

it('a new-only finalize racing a by-path one: the new-only one succeeds only as the first version', async () => {
  const names = Array.from({ length: PAIRS }, (_, n) => `mixed-${n}.bin`);
  const staged = await Promise.all(names.map(async () => Promise.all([stage(running.emulator.url, running.ticket, randomBytes(500)), stage(running.emulator.url, running.ticket, randomBytes(600))])));
  const replies = await Promise.all(names.map((name, n) => Promise.all([newDocument(name, staged[n]?.[0] ?? ''), byPath(name, staged[n]?.[1] ?? '')])));
  for (const [n, [asNew, asPath]] of replies.entries()) {
    const name = names[n] ?? '';
    expect([name, asPath.result.attrs.success]).toEqual([name, 'true']);
    const versions = versionsOf(name);
    if (asNew.result.attrs.success === 'true') {
      expect([name, versions.length, versions[0]?.versionId]).toEqual([name, 2, Number(asNew.result.attrs.VersionId)]);
    } else {
      expect([name, asNew.result.attrs.error, versions.length]).toEqual([name, 'Document already exists.', 1]);
    }
  }
});
