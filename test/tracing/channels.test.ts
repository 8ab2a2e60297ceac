// The diagnostics channels, as any tool sees them by subscribing with node:diagnostics_channel
// alone: one transfer per upload and download, one call per logical call with its attempts inside,
// a retry message for every retry, restart and new login, Node's five events in Node's order, the
// caller's AsyncLocalStorage seen by the subscribers, and no secret in any context.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import diagnostics_channel from 'node:diagnostics_channel';
import { Writable } from 'node:stream';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CALL_CHANNEL, NotFoundError, RETRY_CHANNEL, SrvSession, TRANSFER_CHANNEL, type CallTraceContext, type RetryTraceEvent, type TransferTraceContext } from '../../src/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
const PASSWORD = 'Tr4ce-Secret-Pa55';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Phase = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';
interface Seen<C> {
  readonly phases: Phase[];
  readonly context: C;
  /** The caller's store, as each phase's subscriber saw it. */
  readonly stores: unknown[];
}

const transfer = diagnostics_channel.tracingChannel<unknown, TransferTraceContext>(TRANSFER_CHANNEL);
const call = diagnostics_channel.tracingChannel<unknown, CallTraceContext>(CALL_CHANNEL);
const caller = new AsyncLocalStorage<string>();

let transfers: Array<Seen<TransferTraceContext>>;
let calls: Array<Seen<CallTraceContext>>;
let retries: RetryTraceEvent[];

function recorder<C extends object>(into: () => Array<Seen<C>>): diagnostics_channel.TracingChannelSubscribers<C> {
  const seen = (context: C): Seen<C> => {
    let entry = into().find((e) => e.context === context);
    if (!entry) into().push((entry = { phases: [], context, stores: [] }));
    return entry;
  };
  const on = (phase: Phase) => (context: C) => {
    const entry = seen(context);
    entry.phases.push(phase);
    entry.stores.push(caller.getStore());
  };
  return { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') };
}
const transferRecorder = recorder(() => transfers);
const callRecorder = recorder(() => calls);
const onRetry = (message: unknown) => retries.push(message as RetryTraceEvent);

let emulator: RunningEmulator;
let session: SrvSession;
const tickets = new Set<string>();

beforeAll(async () => {
  emulator = await startEmulator({ users: [{ user: 'tracer', password: PASSWORD }] });
});
beforeEach(async () => {
  transfers = [];
  calls = [];
  retries = [];
  transfer.subscribe(transferRecorder);
  call.subscribe(callRecorder);
  diagnostics_channel.subscribe(RETRY_CHANNEL, onRetry);
  session = await SrvSession.login({ url: emulator.url, user: 'tracer', password: PASSWORD, retry: FAST_RETRY });
  tickets.add(session.ticket);
});
afterEach(async () => {
  tickets.add(session.ticket);
  await session.close();
  transfer.unsubscribe(transferRecorder);
  call.unsubscribe(callRecorder);
  diagnostics_channel.unsubscribe(RETRY_CHANNEL, onRetry);
  emulator.faults.clear();
  // Nothing secret in any context or message: not the password, not any ticket the sessions had.
  const everything = JSON.stringify([transfers, calls, retries], (_key, value: unknown) =>
    value instanceof Error ? { ...value, name: value.name, message: value.message, stack: value.stack } : value,
  );
  expect(everything).not.toContain(PASSWORD);
  for (const ticket of tickets) expect(everything).not.toContain(ticket);
  expect(everything).not.toMatch(/authorization|cookie/i);
});
afterAll(() => emulator.close());

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });
const named = (operation: string) => calls.filter((c) => c.context.operation === operation);

test('an upload is one transfer; each call is one traced call, a lost reply a second attempt inside it and a retry message', async () => {
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [2] });
  const bytes = randomBytes(CHUNK * 3 + 10);
  const result = await session.upload(bytes, '/Public/traced-upload.bin', { chunkSize: CHUNK });

  expect(transfers).toHaveLength(1);
  const [upload] = transfers;
  expect(upload?.phases).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
  expect(upload?.context).toMatchObject({ kind: 'upload', path: '/Public/traced-upload.bin', chunkSize: CHUNK });
  // The resent chunk was appended twice, which the server's filehexcrc shows: the upload starts over.
  expect(upload?.context.result).toMatchObject({ bytes: bytes.length, crc32: result.crc32, retries: 1, restarts: result.restarts });

  const login = named('AuthenticateUser');
  expect(login).toHaveLength(1);
  expect(login[0]?.context).toMatchObject({ binding: 'soap11', url: emulator.url, attempts: 1, status: 200 });

  const grants = named('CreateUploadHandler').map((c) => c.context.handler);
  expect(grants).toHaveLength(1 + result.restarts);
  for (const handler of grants) expect(handler).toMatch(GUID);
  const chunks = named('UploadFileChunk');
  expect(chunks.slice(0, 2).map((c) => c.context.attempts)).toEqual([1, 2]);
  expect(chunks.slice(0, 2).map((c) => c.context.handler)).toEqual([grants[0], grants[0]]);
  for (const chunk of chunks) {
    expect(chunk.context).toMatchObject({ handler: expect.stringMatching(GUID), status: 200, bytes: chunk.context.length, offset: undefined });
    expect([CHUNK, 10]).toContain(chunk.context.length);
    expect(chunk.phases).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
  }
  expect(named('UploadDocumentWithHandler')).toHaveLength(1);
  expect(retries[0]).toMatchObject({ kind: 'retry', operation: 'UploadFileChunk', reason: 'maybe-applied', attempt: 1 });
  expect(retries.filter((r) => r.kind === 'restart')).toHaveLength(result.restarts);
});

test('a download is one transfer, each chunk read a call with its offset, length and bytes', async () => {
  const bytes = randomBytes(CHUNK * 2 + 7);
  await session.upload(bytes, '/Public/traced-download.bin', { chunkSize: CHUNK });
  await session.download('/Public/traced-download.bin', discard(), { chunkSize: CHUNK });

  const download = transfers.find((t) => t.context.kind === 'download');
  expect(download?.context).toMatchObject({ path: '/Public/traced-download.bin', chunkSize: CHUNK, result: { bytes: bytes.length } });
  const reads = named('DownloadFileChunk').map((c) => c.context);
  expect(reads.map((c) => [c.offset, c.bytes]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))).toEqual([
    [0, CHUNK],
    [CHUNK, CHUNK],
    [CHUNK * 2, 7],
  ]);
  for (const read of reads) expect(read).toMatchObject({ handler: expect.stringMatching(GUID), length: CHUNK, attempts: 1 });
});

test('a dead ticket: a relogin message, and the new login traced as a call', async () => {
  emulator.faults.add({ op: 'DocumentExists', kind: 'expireTicket', at: [1] });
  await session.exists('/Public/nothing-here.bin');
  expect(retries).toEqual([expect.objectContaining({ kind: 'relogin', reason: 'ticket-dead', operation: 'DocumentExists' })]);
  expect(named('AuthenticateUser')).toHaveLength(2);
  const [exists] = named('DocumentExists');
  expect(exists?.context.attempts).toBe(2);
});

test('a transfer that starts over sends a restart message', async () => {
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'corrupt', at: [1] });
  const result = await session.upload(randomBytes(CHUNK + 1), '/Public/traced-restart.bin', { chunkSize: CHUNK });
  expect(result.restarts).toBe(1);
  expect(retries).toContainEqual(expect.objectContaining({ kind: 'restart', path: '/Public/traced-restart.bin' }));
});

test('a failed transfer and its failed call end in error, as Node orders the events', async () => {
  const error = await session.download('/Public/no-such-document.bin', discard()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NotFoundError);
  const [download] = transfers;
  expect(download?.phases).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
  expect(download?.context.error).toBe(error);
  const failed = calls.filter((c) => c.phases.includes('error'));
  expect(failed).toHaveLength(1);
  expect(failed[0]?.context.error).toBe(error);
});

test("the caller's AsyncLocalStorage is the one subscribers see, and a store bound to a channel is seen by the calls inside", async () => {
  const bound = new AsyncLocalStorage<string>();
  const inside: unknown[] = [];
  const onCall = () => inside.push(bound.getStore());
  transfer.start.bindStore(bound, (context) => `transfer of ${context.path}`);
  call.start.subscribe(onCall);
  try {
    await caller.run('request-42', () => session.upload(randomBytes(10), '/Public/traced-store.bin'));
  } finally {
    call.start.unsubscribe(onCall);
    transfer.start.unbindStore(bound);
  }
  const [upload] = transfers;
  expect(upload?.stores).toEqual(['request-42', 'request-42', 'request-42', 'request-42']);
  for (const traced of calls.filter((c) => c.context.operation !== 'AuthenticateUser')) expect(new Set(traced.stores)).toEqual(new Set(['request-42']));
  expect(inside.length).toBeGreaterThan(2);
  expect(new Set(inside)).toEqual(new Set(['transfer of /Public/traced-store.bin']));
});

test('without subscribers no context is made', async () => {
  transfer.unsubscribe(transferRecorder);
  call.unsubscribe(callRecorder);
  expect(transfer.hasSubscribers || call.hasSubscribers).toBe(false);
  await session.upload(randomBytes(10), '/Public/untraced.bin');
  expect(transfers).toEqual([]);
  expect(calls.filter((c) => c.context.operation !== 'AuthenticateUser')).toEqual([]);
});
