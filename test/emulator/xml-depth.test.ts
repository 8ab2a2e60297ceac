// Issue 11, case 12: saxes resolves namespaces at a cost that grows with the depth, so a request
// nested 40 000 deep took the emulator 16 s, and every request queued behind it waited. XML nested
// deeper than 32 elements is refused as it streams in: a soap:Client fault (classic-asmx: HTTP 400
// with an empty body, as for XML it cannot read), and the emulator goes on serving meanwhile. The
// timings compare the deep request with a harmless one of the same size in the same run.
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../../src/emulator/index.js';
import type { ProfileName, RunningEmulator } from '../../src/emulator/index.js';
import { envelope11, login, postSoap11, soap, SOAP11_NS, stage, TEMPURI } from './helpers.js';
import type { HttpReply } from './helpers.js';

const DEPTH = 40_000;
/** How much longer than a same-size harmless request the deep one may take: before the bound it took thousands of times longer. */
const SLOWER_AT_MOST = 10;

const nested = (depth: number): string => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
/** As long as nested(depth), one element deep. */
const flat = (depth: number): string => `<a>${'x'.repeat(nested(depth).length - 7)}</a>`;

const serverInfo = (inside: string): string =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><ServerInfo xmlns="${TEMPURI}">${inside}</ServerInfo></soap:Body></soap:Envelope>`;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** The slowest of three harmless requests of the deep one's size. */
async function harmless(send: () => Promise<HttpReply>): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < 3; i += 1) {
    const { value, ms } = await timed(send);
    expect(value.status).toBe(200);
    slowest = Math.max(slowest, ms);
  }
  return slowest;
}

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(profile: ProfileName): Promise<RunningEmulator> {
  emulator = await startEmulator({ profile });
  return emulator;
}

describe.each([
  ['documented', (reply: HttpReply) => {
    expect(reply.status).toBe(500);
    expect(reply.body).toContain('<faultcode>soap:Client</faultcode>');
    expect(reply.body).toContain('nested deeper than 32 elements');
  }],
  ['classic-asmx', (reply: HttpReply) => expect([reply.status, reply.body]).toEqual([400, ''])],
] as const)('%s', (profile, refusedForDepth) => {
  it(`a request nested ${DEPTH} deep is refused for its depth, about as fast as a harmless one of its size, while a concurrent call is served`, async () => {
    const running = await start(profile);
    const action = `${TEMPURI}ServerInfo`;
    const slowestHarmless = await harmless(() => postSoap11(running.url, action, serverInfo(flat(DEPTH))));
    const deep = timed(() => postSoap11(running.url, action, serverInfo(nested(DEPTH))));
    const concurrent = login(running.url);
    const [{ value: reply, ms }, ticket] = await Promise.all([deep, concurrent]);
    refusedForDepth(reply);
    expect(ticket).toMatch(/\S/);
    expect(ms).toBeLessThan(SLOWER_AT_MOST * slowestHarmless);
    // Depth 32 itself is fine.
    expect((await postSoap11(running.url, action, serverInfo(nested(32 - 3)))).status).toBe(200);
  });
});

it('classic-asmx, routed on the Body element (no SOAPAction): a deep Header is refused too, as fast', async () => {
  const running = await start('classic-asmx');
  const withHeader = (inside: string) => serverInfo('').replace('<soap:Body>', `<soap:Header>${inside}</soap:Header><soap:Body>`);
  const slowestHarmless = await harmless(() => postSoap11(running.url, undefined, withHeader(flat(DEPTH))));
  const { value: reply, ms } = await timed(() => postSoap11(running.url, undefined, withHeader(nested(DEPTH))));
  expect([reply.status, reply.body]).toEqual([400, '']);
  expect(ms).toBeLessThan(SLOWER_AT_MOST * slowestHarmless);
});

it('xmlParameters nested deep is an invalid parameter value, refused about as fast as a harmless one of its size', async () => {
  const running = await start('documented');
  const ticket = await login(running.url);
  const finalize = async (xmlParameters: string, name: string) => {
    const handler = await stage(running.url, ticket, Buffer.from(name));
    return postSoap11(running.url, `${TEMPURI}UploadDocumentWithHandler3`, envelope11('UploadDocumentWithHandler3', [
      ['authenticationTicket', ticket],
      ['path', `/Public/${name}`],
      ['uploadHandler', handler],
      ['xmlParameters', xmlParameters],
    ]));
  };
  // The same markup, escaped as the text of one item: as many entity references for the SOAP reader, one level deep.
  const description = `<xmlparameters><item NAME="DESCRIPTION">${nested(DEPTH).replace(/</g, '&lt;').replace(/>/g, '&gt;')}</item></xmlparameters>`;
  const slowestHarmless = await harmless(() => finalize(description, 'harmless.txt'));
  const { value: reply, ms } = await timed(() => finalize(`<xmlparameters>${nested(DEPTH)}</xmlparameters>`, 'deep.txt'));
  expect(reply.body).toContain('error="Invalid parameter value: xmlParameters."');
  expect(ms).toBeLessThan(SLOWER_AT_MOST * slowestHarmless);
  expect((await soap(running.url, 'DocumentExists', [['authenticationTicket', ticket], ['Path', '/Public/deep.txt']])).result.attrs.error).toBe('Document not found');
});
