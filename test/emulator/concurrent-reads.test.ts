// DownloadFileChunk calls of one handler that overlap. By default each is answered for its own offset; with
// concurrentChunkReads: 'refuse' the emulator is a server whose handler holds one FileStream, and a read while
// another is still being answered fails as that server's unhandled IOException does. Every DownloadFileChunk is
// delayed (the latency fault holds a processed call's reply), so reads sent together overlap.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { EmulatorOptions, ProfileName } from '../../src/emulator/index.js';
import { crcValue, envelope11, postSoap11, soap, TEMPURI, uploadDocument, useEmulator } from './helpers.js';

const CHUNK = 65_536;
const CONTENT = randomBytes(4 * CHUNK + 1000);
const PATH = '/Public/concurrent.bin';
const SLOW_READS: EmulatorOptions = { faults: [{ op: 'DownloadFileChunk', kind: 'latency', latencyMs: 300 }] };
const IN_USE = /^The process cannot access the file '[^']*\\[0-9a-f-]{36}\.download' because it is being used by another process\.$/;

const hex = (data: Buffer): string => crcValue(data).toString(16).padStart(8, '0');

function reading(url: string, ticket: string) {
  const newHandler = async (): Promise<string> => {
    const { result } = await soap(url, 'GetDownloadHandler', [['AuthenticationTicket', ticket], ['Path', PATH], ['PreferedChunkSize', String(CHUNK)]]);
    return result.attrs.downloadhandler ?? '';
  };
  const read = (handler: string, offset: number) =>
    soap(url, 'DownloadFileChunk', [['authenticationTicket', ticket], ['DownloadHandler', handler], ['StartOffset', String(offset)], ['ChunkSize', String(CHUNK)]]);
  return { newHandler, read };
}

describe("concurrentChunkReads: 'allow' (the default)", () => {
  const running = useEmulator(SLOW_READS);

  it('answers overlapping reads of one handler each for its own offset, with the right CRC-32', async () => {
    const { emulator, ticket } = running;
    await uploadDocument(emulator.url, ticket, PATH, CONTENT);
    const { newHandler, read } = reading(emulator.url, ticket);
    const handler = await newHandler();
    const offsets = [3, 0, 4, 1, 2].map((index) => index * CHUNK);
    const replies = await Promise.all(offsets.map((offset) => read(handler, offset)));
    replies.forEach(({ result }, index) => {
      const expected = CONTENT.subarray(offsets[index], (offsets[index] as number) + CHUNK);
      expect(result.attrs).toMatchObject({ success: 'true', chunklength: String(expected.length), chunkCRC32: hex(expected) });
      expect(Buffer.from(result.text, 'base64').equals(expected)).toBe(true);
    });
  });
});

describe.each<ProfileName>(['documented', 'minimal'])("concurrentChunkReads: 'refuse', %s", (profile) => {
  const running = useEmulator({ ...SLOW_READS, profile, concurrentChunkReads: 'refuse' });
  let handler: string;
  let read: ReturnType<typeof reading>['read'];
  let newHandler: ReturnType<typeof reading>['newHandler'];

  beforeAll(async () => {
    const { emulator, ticket } = running;
    await uploadDocument(emulator.url, ticket, PATH, CONTENT);
    ({ newHandler, read } = reading(emulator.url, ticket));
    handler = await newHandler();
  });

  it('refuses one of two overlapping reads of one handler with an in-band SystemError naming no path of the emulator', async () => {
    const replies = await Promise.all([read(handler, 0), read(handler, CHUNK)]);
    const refused = replies.filter(({ result }) => result.attrs.success === 'false');
    expect(refused).toHaveLength(1);
    const error = refused[0]?.result.attrs.error ?? '';
    expect(error.replace(/^SystemError: /, '')).toMatch(IN_USE);
    expect(error.startsWith('SystemError: ')).toBe(true);
    expect(error).not.toContain(running.emulator.dataDir);
    expect(replies.map(({ status }) => status)).toEqual([200, 200]);
    const served = replies.find(({ result }) => result.attrs.success === 'true');
    expect(served?.result.attrs.chunklength).toBe(String(CHUNK));
  });

  it('serves reads of one handler one after another', async () => {
    for (const offset of [0, CHUNK, 2 * CHUNK]) {
      const { result } = await read(handler, offset);
      expect(Buffer.from(result.text, 'base64').equals(CONTENT.subarray(offset, offset + CHUNK))).toBe(true);
    }
  });

  it('serves overlapping reads of two handlers', async () => {
    const other = await newHandler();
    const replies = await Promise.all([read(handler, 0), read(other, CHUNK)]);
    expect(replies.map(({ result }) => result.attrs.success)).toEqual(['true', 'true']);
  });

  it('ends a read whose reply the client abandoned, so that the next read is served', async () => {
    const body = envelope11('DownloadFileChunk', [['authenticationTicket', running.ticket], ['DownloadHandler', handler], ['StartOffset', '0'], ['ChunkSize', String(CHUNK)]]);
    const { hostname, port } = new URL(running.emulator.url);
    const socket = connect(Number(port), hostname, () =>
      socket.write(`POST /srv.asmx HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: "${TEMPURI}DownloadFileChunk"\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
    );
    // Gone while its reply is held back by the latency fault.
    await delay(100);
    socket.destroy();
    let served = false;
    for (let attempt = 0; attempt < 50 && !served; attempt += 1) {
      served = (await read(handler, 0)).result.attrs.success === 'true';
    }
    expect(served).toBe(true);
  });
});

describe("concurrentChunkReads: 'refuse', classic-asmx", () => {
  const running = useEmulator({ ...SLOW_READS, profile: 'classic-asmx', concurrentChunkReads: 'refuse' });

  it('fails one of two overlapping reads with a soap:Server fault carrying the IOException and its stack', async () => {
    const { emulator, ticket } = running;
    await uploadDocument(emulator.url, ticket, PATH, CONTENT);
    const handler = await reading(emulator.url, ticket).newHandler();
    const read = (offset: number) =>
      postSoap11(emulator.url, `${TEMPURI}DownloadFileChunk`, envelope11('DownloadFileChunk', [['authenticationTicket', ticket], ['DownloadHandler', handler], ['StartOffset', String(offset)], ['ChunkSize', String(CHUNK)]]));
    const replies = await Promise.all([read(0), read(CHUNK)]);
    expect(replies.map(({ status }) => status).sort()).toEqual([200, 500]);
    const fault = replies.find(({ status }) => status === 500)?.body ?? '';
    expect(fault).toContain('<faultcode>soap:Server</faultcode>');
    const text = (/<faultstring>([\s\S]*)<\/faultstring>/.exec(fault)?.[1] ?? '').replace(/&gt;/g, '>');
    expect(text).toMatch(/^System\.Web\.Services\.Protocols\.SoapException: Server was unable to process request\. ---> System\.IO\.IOException: The process cannot access the file '[^']*' because it is being used by another process\.\r\n   at Srv\.DownloadFileChunk\(String authenticationTicket, String DownloadHandler, Int32 StartOffset, Int32 ChunkSize\) in /);
    expect(text).not.toContain(emulator.dataDir);
  });
});
