// No password and no ticket ever shows: not in the output of any command run with --verbose (and
// --json), not in the emulator's request log, not in exchange records, warnings, errors (message,
// stack, JSON, inspection) or the session object. Tickets include every one the service issued
// along the way (a new login mid-transfer too), as recorded by a proxy in front of the emulator.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { format } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createSrvClient, SrvSession, type ExchangeRecord, type SessionWarning } from '../../src/index.js';
import { everything, leaksIn, type Secret } from './leaks.js';
import { runCli, startServe, type CliRun } from '../helpers/run-cli.js';
import { recordTickets, type TicketRecorder } from './ticket-recorder.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const USER = 'sec-user';
/** Characters that XML and URLs escape, around a core that every encoding keeps as it is. */
const PASSWORD = 'Pw7f3a9cQz&<"secret\'>';
const WRONG_PASSWORD = 'WrongPw41b8e&<x>';
const CHUNK = 262_144;

let emulator: RunningEmulator;
let recorder: TicketRecorder;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ users: [{ user: USER, password: PASSWORD }], log: () => undefined });
  recorder = await recordTickets(emulator.url);
  dir = await mkdtemp(join(tmpdir(), 'srv-secrets-'));
  await writeFile(join(dir, 'big.bin'), randomBytes(3 * CHUNK + 11));
  await writeFile(join(dir, 'small.txt'), 'small');
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await recorder.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** The password, the wrong one, and every ticket issued so far (plus any given). */
function secrets(extraTickets: readonly string[] = []): Secret[] {
  const tickets = [...recorder.tickets(), ...extraTickets].map((value, i) => ({ label: `ticket #${i + 1}`, value }));
  return [{ label: 'password', value: 'Pw7f3a9cQz' }, { label: 'wrong password', value: 'WrongPw41b8e' }, ...tickets];
}

function expectNoSecrets(text: string, extraTickets: readonly string[] = []): void {
  expect(leaksIn(text, secrets(extraTickets))).toEqual([]);
}

/** A ticket of a login made by hand through the proxy, as a user would get one for --ticket. */
async function manualTicket(): Promise<string> {
  const response = await fetch(`${recorder.url}/AuthenticateUser`, { method: 'POST', body: new URLSearchParams({ UID: USER, PWD: PASSWORD }) });
  const ticket = /ticket="([^"]+)"/.exec(await response.text())?.[1];
  if (ticket === undefined) throw new Error('the manual login failed');
  return ticket;
}

describe('the command line with --verbose', () => {
  const env = (extra: Record<string, string> = {}) => ({ SRV_ASMX_URL: recorder.url, SRV_ASMX_USER: USER, SRV_ASMX_PASSWORD: PASSWORD, ...extra });
  const transcript = (run: CliRun) => `${run.stdout}\n${run.stderr}`;
  const modes = ['--verbose', '--verbose --json'];

  test.each(modes)('upload, download, exists and sync (%s)', async (mode) => {
    const flags = mode.split(' ');
    const tag = flags.length;
    const runs = [
      await runCli(['upload', join(dir, 'big.bin'), `/Public/cli-${tag}.bin`, '--chunk-size', String(CHUNK), ...flags], { env: env() }),
      await runCli(['upload', join(dir, 'small.txt'), `/Public/cli-${tag}.txt`, '--new', '--comment', 'c', ...flags], { env: env() }),
      await runCli(['download', `/Public/cli-${tag}.bin`, join(dir, `down-${tag}.bin`), '--chunk-size', String(CHUNK), ...flags], { env: env() }),
      await runCli(['exists', `/Public/cli-${tag}.bin`, '--file', join(dir, 'big.bin'), ...flags], { env: env() }),
      await runCli(['sync', dir, `/Public/Sync${tag}`, '--dry-run', ...flags], { env: env() }),
      await runCli(['sync', dir, `/Public/Sync${tag}`, '--concurrency', '2', ...flags], { env: env() }),
    ];
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(runs[0]?.stderr).toMatch(/→ UploadFileChunk/);
    for (const run of runs) expectNoSecrets(transcript(run));
  });

  test.each(modes)('a new login in the middle of an upload and of a download (%s)', async (mode) => {
    const flags = mode.split(' ');
    const tag = `relogin-${flags.length}`;
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'expireTicket', at: [2] });
    emulator.faults.add({ op: 'DownloadFileChunk', kind: 'expireTicket', at: [2] });
    const before = recorder.tickets().length;
    const upload = await runCli(['upload', join(dir, 'big.bin'), `/Public/${tag}.bin`, '--chunk-size', String(CHUNK), ...flags], { env: env() });
    const download = await runCli(['download', `/Public/${tag}.bin`, join(dir, `${tag}.bin`), '--chunk-size', String(CHUNK), ...flags], { env: env() });
    expect([upload.code, download.code]).toEqual([0, 0]);
    expect(recorder.tickets().length).toBeGreaterThanOrEqual(before + 4);
    expectNoSecrets(transcript(upload) + transcript(download));
  });

  test.each(modes)('failures: wrong password, missing document, missing folder, cancelled, dead ticket (%s)', async (mode) => {
    const flags = mode.split(' ');
    const wrong = await runCli(['exists', '/Public/x', ...flags], { env: env({ SRV_ASMX_PASSWORD: WRONG_PASSWORD }) });
    const missing = await runCli(['download', '/Public/missing.bin', join(dir, 'missing.bin'), ...flags], { env: env() });
    const noFolder = await runCli(['upload', join(dir, 'small.txt'), '/Public/No/Such/x.txt', ...flags], { env: env() });
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'latency', latencyMs: 200 });
    const cancelled = await runCli(['upload', join(dir, 'big.bin'), '/Public/cancelled.bin', '--chunk-size', String(CHUNK), ...flags], {
      env: env(),
      interruptWhen: /UploadFileChunk/,
    });
    emulator.faults.clear();
    const ticket = await manualTicket();
    const withTicket = await runCli(['exists', `/Public/cli-1.bin`, ...flags], { env: env({ SRV_ASMX_TICKET: ticket, SRV_ASMX_PASSWORD: '' }) });
    await fetch(`${recorder.url}/LogOut`, { method: 'POST', body: new URLSearchParams({ AuthenticationTicket: ticket }) });
    const deadTicket = await runCli(['exists', '/Public/cli-1.bin', '--ticket', ticket, ...flags], { env: env({ SRV_ASMX_PASSWORD: '' }) });
    const passwordFlag = await runCli(['exists', '/Public/cli-1.bin', '--password', PASSWORD, ...flags], { env: env({ SRV_ASMX_PASSWORD: '' }) });
    expect([wrong, missing, noFolder, cancelled, withTicket, deadTicket, passwordFlag].map((run) => run.code)).toEqual([3, 1, 1, 130, 0, 3, 0]);
    for (const run of [wrong, missing, noFolder, cancelled, withTicket, deadTicket, passwordFlag]) expectNoSecrets(transcript(run), [ticket]);
  });

  test('serve --verbose logs requests without passwords or tickets, however they are sent', async () => {
    const serve = await startServe(['--user', `${USER}:${PASSWORD}`, '--verbose']);
    const tickets: string[] = [];
    try {
      const session = await SrvSession.login({ url: serve.url, user: USER, password: PASSWORD, retry: FAST_RETRY });
      tickets.push(session.ticket);
      await session.upload(Buffer.from('served'), '/Public/served.txt');
      await session.exists('/Public/served.txt');
      await session.close();
      const query = new URLSearchParams({ UID: USER, PWD: PASSWORD });
      const viaGet = /ticket="([^"]+)"/.exec(await (await fetch(`${serve.url}/AuthenticateUser?${query.toString()}`)).text())?.[1] ?? '';
      tickets.push(viaGet);
      await fetch(`${serve.url}/isValidTicket`, { headers: { Cookie: `ticket=${encodeURIComponent(viaGet)}` } });
      await fetch(`${serve.url}/DocumentExists?${new URLSearchParams({ authenticationTicket: viaGet, Path: '/Public/served.txt' }).toString()}`);
    } finally {
      const run = await serve.stop();
      expect(run.stderr).toMatch(/POST \/srv\.asmx http:\/\/tempuri\.org\/UploadFileChunk 200/);
      expectNoSecrets(transcript(run), tickets);
    }
  });

  test('demo --verbose shows no unredacted password or ticket', async () => {
    const run = await runCli(['demo', '--size', '1', '--chunk-size', String(CHUNK), '--verbose'], { env: {} });
    expect(run.code).toBe(0);
    expectNoSecrets(transcript(run));
  });
});

describe('the library, with every exchange record and warning captured', () => {
  const captured: string[] = [];
  const capture = (value: unknown) => void captured.push(everything(value));
  const options = () => ({
    url: recorder.url,
    retry: FAST_RETRY,
    onExchange: (record: ExchangeRecord) => capture(record),
    onWarning: (warning: SessionWarning) => capture(warning),
  });
  /** Runs `work`, keeping whatever it returns or throws. */
  const attempt = async (work: () => Promise<unknown>) => capture(await work().catch((error: unknown) => error));

  beforeEach(() => void (captured.length = 0));

  test('login, ensureFolder, upload, download, exists, uploadMany and close, with faults and a new login', async () => {
    const session = await SrvSession.login({ ...options(), user: USER, password: PASSWORD });
    const first = session.ticket;
    const bytes = randomBytes(3 * CHUNK + 5);
    await attempt(() => session.ensureFolder('/Public/Lib/Deep'));
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'expireTicket', at: [2] });
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [4] });
    await attempt(() => session.upload(bytes, '/Public/Lib/Deep/a.bin', { chunkSize: CHUNK, metadata: { description: 'd', versionComment: 'c' } }));
    emulator.faults.add({ op: 'DownloadFileChunk', kind: 'expireTicket', at: [2] });
    emulator.faults.add({ op: 'DownloadFileChunk', kind: 'corrupt', at: [3] });
    await attempt(() => session.download('/Public/Lib/Deep/a.bin', join(dir, 'lib-a.bin'), { chunkSize: CHUNK, overwrite: true }));
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    await attempt(() => session.download({ path: '/Public/Lib/Deep/a.bin', versionNumber: 1_000_000 }, sink, { chunkSize: CHUNK }));
    await attempt(() => session.exists('/Public/Lib/Deep/a.bin'));
    await attempt(() => session.exists('/Public/Lib/none.bin'));
    await attempt(() => session.uploadMany([
      { source: Buffer.from('one'), destination: '/Public/Lib/one.txt' },
      { source: Buffer.from('two'), destination: '/Public/Missing/two.txt' },
      { source: join(dir, 'no-such-file'), destination: '/Public/Lib/three.txt' },
    ]));
    await attempt(() => session.download('/Public/Lib/none.bin', join(dir, 'none.bin')));
    emulator.faults.add({ op: 'DownloadFileChunk', kind: 'http500' });
    await attempt(() => session.download('/Public/Lib/Deep/a.bin', join(dir, 'fails.bin'), { chunkSize: CHUNK }));
    emulator.faults.clear();
    capture(session);
    captured.push(format('%s %o %O %j', session, session, session, session), `${String(session)}`);
    expect(session.ticket).not.toBe(first);
    await session.close();
    await attempt(() => session.exists('/Public/Lib/Deep/a.bin'));
    expect(captured.join('\n')).toMatch(/UploadFileChunk/);
    expectNoSecrets(captured.join('\n'), [first, session.ticket]);
  });

  test('a wrong password, fromTicket with a live and a dead ticket, and the raw client', async () => {
    await attempt(() => SrvSession.login({ ...options(), user: USER, password: WRONG_PASSWORD }));
    await attempt(() => SrvSession.login({ ...options(), user: USER, password: WRONG_PASSWORD, language: 'en' }));
    const ticket = await manualTicket();
    const borrowed = await SrvSession.fromTicket({ ...options(), ticket });
    await attempt(() => borrowed.exists('/Public/Lib/Deep/a.bin'));
    capture(borrowed);
    await fetch(`${recorder.url}/LogOut`, { method: 'POST', body: new URLSearchParams({ AuthenticationTicket: ticket }) });
    await attempt(() => borrowed.exists('/Public/Lib/Deep/a.bin'));
    await attempt(() => borrowed.upload(Buffer.from('x'), '/Public/Lib/dead.txt'));
    await borrowed.close();

    const client = await createSrvClient({ url: recorder.url, onExchange: capture });
    const granted = await client.AuthenticateUser({ UID: USER, PWD: PASSWORD });
    await attempt(() => client.CreateUploadHandler({ authenticationTicket: granted.ticket, PreferedChunkSize: 0 }));
    await attempt(() => client.LogOut({ AuthenticationTicket: granted.ticket }));
    await attempt(() => client.LogOut({ AuthenticationTicket: granted.ticket }));
    await attempt(() => client.AuthenticateUser({ UID: USER, PWD: WRONG_PASSWORD }));
    client.close();
    expect(captured.join('\n')).toMatch(/TicketExpiredError|AuthenticationError/);
    expectNoSecrets(captured.join('\n'), [ticket, granted.ticket]);
  });
});
