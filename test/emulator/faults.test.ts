import { randomBytes } from 'node:crypto';
import { parseFaultSpec, startEmulator } from '../../src/emulator/index.js';
import type { FaultRule, RunningEmulator } from '../../src/emulator/index.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createUploadHandler, crcHex, crcValue, envelope11, login, postSoap11, soap, TEMPURI, uploadChunk, uploadDocument } from './helpers.js';

let emulator: RunningEmulator;
let ticket: string;
beforeEach(async () => {
  emulator = await startEmulator();
  ticket = await login(emulator.url);
});
afterEach(() => emulator.close());

const handlerBytes = (id: string) => emulator.state().uploadHandlers.find((handler) => handler.id === id)?.bytes;
const folderExists = (who = ticket) =>
  soap(emulator.url, 'FolderExists', [['authenticationTicket', who], ['Path', '/Public']]);

describe('fault kinds', () => {
  it('tryagain: the chunk reply says tryagain="true" and nothing is appended', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'tryagain', at: [1] });
    const chunk = Buffer.from('payload');
    expect((await uploadChunk(emulator.url, ticket, handler, chunk, true)).result.attrs).toEqual({ success: 'true', tryagain: 'true' });
    expect(handlerBytes(handler)).toBe(0);
    expect((await uploadChunk(emulator.url, ticket, handler, chunk, true)).result.attrs.tryagain).toBe('false');
    expect(handlerBytes(handler)).toBe(chunk.length);
  });

  it('dropReply: the chunk IS appended, then the connection closes without a reply', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [1] });
    await expect(uploadChunk(emulator.url, ticket, handler, Buffer.from('lost reply'), true)).rejects.toThrow();
    expect(emulator.state().uploadHandlers.find((h) => h.id === handler)).toMatchObject({ bytes: 10, complete: true });
  });

  it('dropRequest: the connection closes before the request is read, and nothing happens', async () => {
    const handler = await createUploadHandler(emulator.url, ticket);
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropRequest', at: [1] });
    await expect(uploadChunk(emulator.url, ticket, handler, Buffer.from('never read'), true)).rejects.toThrow();
    expect(handlerBytes(handler)).toBe(0);
  });

  it('http500: an empty HTTP 500 and nothing processed', async () => {
    emulator.faults.add({ op: 'CreateUploadHandler', kind: 'http500', at: [1] });
    const response = await fetch(`${emulator.url}/CreateUploadHandler?authenticationTicket=${ticket}&PreferedChunkSize=0`);
    expect([response.status, await response.text()]).toEqual([500, '']);
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  it('systemError: an in-band SystemError reply and nothing processed', async () => {
    emulator.faults.add({ op: 'CreateUploadHandler', kind: 'systemError', at: [1] });
    const { status, result } = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '0']]);
    expect(status).toBe(200);
    expect(result.xml).toBe('<response xmlns="" success="false" error="SystemError: injected fault" />');
    expect(emulator.state().uploadHandlers).toEqual([]);
  });

  it("expireTicket: the caller's ticket dies before the call, which answers [901]", async () => {
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1] });
    expect((await folderExists()).result.attrs).toEqual({ success: 'false', error: '[901] Session expired or Invalid ticket' });
    expect((await soap(emulator.url, 'isValidTicket', [['AuthenticationTicket', ticket]])).result.attrs.success).toBe('false');
    expect(emulator.state().tickets).toBe(0);
  });

  it('latency: the reply comes after the delay and the call is processed normally', async () => {
    emulator.faults.add({ op: 'FolderExists', kind: 'latency', latencyMs: 300 });
    const started = Date.now();
    expect((await folderExists()).result.attrs.success).toBe('true');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('corrupt on upload: one stored byte flips, the reply is a success, and only filehexcrc shows it', async () => {
    const content = randomBytes(1000);
    const handler = await createUploadHandler(emulator.url, ticket);
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'corrupt', at: [1] });
    const { result } = await uploadChunk(emulator.url, ticket, handler, content, true);
    expect(result.attrs).toMatchObject({ success: 'true', tryagain: 'false' });
    expect(Number.parseInt(result.attrs.filehexcrc ?? '', 16)).not.toBe(crcValue(content));
    await soap(emulator.url, 'UploadDocumentWithHandler', [['authenticationTicket', ticket], ['path', '/Public/corrupt.bin'], ['uploadHandler', handler]]);
    const stored = await emulator.readDocument('/Public/corrupt.bin');
    const differing = [...stored].filter((byte, index) => byte !== content[index]).length;
    expect([stored.length, differing]).toEqual([1000, 1]);
  });

  it('corrupt on download: one byte of the chunk flips while chunkCRC32 stays the original', async () => {
    const content = randomBytes(5000);
    await uploadDocument(emulator.url, ticket, '/Public/clean.bin', content);
    const handler = (await soap(emulator.url, 'GetDownloadHandler', [['AuthenticationTicket', ticket], ['Path', '/Public/clean.bin'], ['PreferedChunkSize', '0']])).result.attrs.downloadhandler ?? '';
    emulator.faults.add({ op: 'DownloadFileChunk', kind: 'corrupt', at: [1] });
    const fetchChunk = () =>
      soap(emulator.url, 'DownloadFileChunk', [['authenticationTicket', ticket], ['DownloadHandler', handler], ['StartOffset', '0'], ['ChunkSize', '5000']]).then((r) => r.result);
    const corrupted = await fetchChunk();
    expect(corrupted.attrs.chunkCRC32).toBe(crcValue(content).toString(16).padStart(8, '0'));
    expect(crcValue(Buffer.from(corrupted.text, 'base64'))).not.toBe(crcValue(content));
    expect(Buffer.from((await fetchChunk()).text, 'base64').equals(content)).toBe(true);
  });

  it('malformedGrant: CreateUploadHandler stages a real handler but grants ChunkSize="abc"', async () => {
    emulator.faults.add({ op: 'CreateUploadHandler', kind: 'malformedGrant', at: [1] });
    const { result } = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '262144']]);
    expect(result.attrs).toMatchObject({ success: 'true', ChunkSize: 'abc' });
    expect(emulator.state().uploadHandlers.map((h) => h.id)).toEqual([result.attrs.UploadHandler]);
    const next = await soap(emulator.url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', '262144']]);
    expect(next.result.attrs.ChunkSize).toBe('262144');
  });

  it.each(['GetDownloadHandler', 'GetDownloadHandlerByVersion'] as const)('malformedGrant: %s stages a real handler but grants ChunkSize="0"', async (op) => {
    await uploadDocument(emulator.url, ticket, '/Public/granted.bin', randomBytes(100));
    emulator.faults.add({ op, kind: 'malformedGrant', at: [1] });
    const params: Array<[string, string]> = [['AuthenticationTicket', ticket], ['Path', '/Public/granted.bin'], ...(op === 'GetDownloadHandlerByVersion' ? [['VersionNumber', '1000000'] as [string, string]] : []), ['PreferedChunkSize', '0']];
    const { result } = await soap(emulator.url, op, params);
    expect(result.attrs).toMatchObject({ success: 'true', ChunkSize: '0', Size: '100' });
    expect(emulator.state().downloadHandlers.map((h) => h.id)).toEqual([result.attrs.downloadhandler]);
  });

  it('diskFull: the append fails as on a full disk, in-band SystemError, and nothing of the chunk stays staged', async () => {
    const content = randomBytes(262144 + 10);
    const handler = await createUploadHandler(emulator.url, ticket);
    await uploadChunk(emulator.url, ticket, handler, content.subarray(0, 262144), false);
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'diskFull', at: [1, 2] });
    for (const chunk of [content.subarray(262144), Buffer.alloc(0)]) {
      const { status, result } = await uploadChunk(emulator.url, ticket, handler, chunk, true);
      expect([status, result.attrs]).toEqual([200, { success: 'false', error: 'SystemError: There is not enough space on the disk.' }]);
      expect(emulator.state().uploadHandlers.find((h) => h.id === handler)).toMatchObject({ bytes: 262144, complete: false });
      expect(statSync(join(emulator.dataDir, 'staging', `${handler}.upload`)).size).toBe(262144);
    }
    const last = await uploadChunk(emulator.url, ticket, handler, content.subarray(262144), true);
    expect(last.result.attrs.filehexcrc).toBe(crcValue(content).toString(16).padStart(8, '0'));
  });

  it('diskFull in classic-asmx: the IOException as a soap:Server fault', async () => {
    const classic = await startEmulator({ profile: 'classic-asmx', faults: [{ op: 'UploadFileChunk', kind: 'diskFull', at: [1] }] });
    try {
      const classicTicket = await login(classic.url);
      const handler = await createUploadHandler(classic.url, classicTicket);
      const chunk = randomBytes(1000);
      const reply = await postSoap11(classic.url, `${TEMPURI}UploadFileChunk`, envelope11('UploadFileChunk', [['authenticationTicket', classicTicket], ['uploadHandler', handler], ['fileChunk', chunk.toString('base64')], ['chunkHEXCRC', crcHex(chunk)], ['lastChunk', 'true']]));
      expect(reply.status).toBe(500);
      expect(reply.body).toContain('<faultcode>soap:Server</faultcode>');
      expect(reply.body).toContain('---&gt; System.IO.IOException: There is not enough space on the disk.');
      expect(classic.state().uploadHandlers[0]).toMatchObject({ bytes: 0, complete: false });
    } finally {
      await classic.close();
    }
  });
});

describe('fault rules', () => {
  it('count the Nth calls of an operation from when the rule was added, and log what they injected', async () => {
    await folderExists();
    emulator.faults.add({ op: 'FolderExists', kind: 'systemError', at: [2, 3] });
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) outcomes.push((await folderExists()).result.attrs.error ?? 'ok');
    expect(outcomes).toEqual(['ok', 'SystemError: injected fault', 'SystemError: injected fault', 'ok']);
    expect(emulator.faults.injected()).toEqual([
      { op: 'FolderExists', kind: 'systemError', call: 3 },
      { op: 'FolderExists', kind: 'systemError', call: 4 },
    ]);
  });

  it("'*' counts the calls of every operation the kind applies to", async () => {
    emulator.faults.add({ op: '*', kind: 'systemError', at: [2] });
    expect((await folderExists()).result.attrs.success).toBe('true');
    expect((await soap(emulator.url, 'ServerInfo')).result.attrs.error).toBe('SystemError: injected fault');
    emulator.faults.clear();
    emulator.faults.add({ op: '*', kind: 'tryagain', at: [1] });
    await folderExists();
    const handler = await createUploadHandler(emulator.url, ticket);
    expect((await uploadChunk(emulator.url, ticket, handler, Buffer.from('x'), true)).result.attrs.tryagain).toBe('true');
  });

  it('probability rules follow the seed, and times caps them', async () => {
    const run = async (seed: number) => {
      const seeded = await startEmulator({ seed, faults: [{ op: 'ServerInfo', kind: 'systemError', probability: 0.5 }] });
      try {
        for (let i = 0; i < 20; i += 1) await soap(seeded.url, 'ServerInfo');
        return seeded.faults.injected().map((fault) => fault.call);
      } finally {
        await seeded.close();
      }
    };
    const [first, again, other] = [await run(7), await run(7), await run(8)];
    expect(first).toEqual(again);
    expect(first).not.toEqual(other);
    expect(first.length).toBeGreaterThan(2);
    expect(first.length).toBeLessThan(18);
    emulator.faults.add({ op: 'ServerInfo', kind: 'systemError', probability: 1, times: 2 });
    emulator.faults.add({ op: 'ServerInfo', kind: 'http500', probability: 0 });
    const errors = [];
    for (let i = 0; i < 4; i += 1) errors.push((await soap(emulator.url, 'ServerInfo')).result.attrs.success);
    expect(errors).toEqual(['false', 'false', 'true', 'true']);
  });

  it('a rule without at or probability applies to every call; clear() removes all rules', async () => {
    emulator.faults.add({ op: 'FolderExists', kind: 'systemError' });
    expect((await folderExists()).result.attrs.success).toBe('false');
    expect((await folderExists()).result.attrs.success).toBe('false');
    emulator.faults.clear();
    expect((await folderExists()).result.attrs.success).toBe('true');
    expect(emulator.faults.injected()).toHaveLength(2);
  });

  it('several rules can hit one call', async () => {
    emulator.faults.add({ op: 'FolderExists', kind: 'latency', latencyMs: 100, at: [1] });
    emulator.faults.add({ op: 'FolderExists', kind: 'expireTicket', at: [1] });
    const started = Date.now();
    expect((await folderExists()).result.attrs.error).toBe('[901] Session expired or Invalid ticket');
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it.each<[string, FaultRule]>([
    ['an unknown operation', { op: 'Nope' as 'ServerInfo', kind: 'http500' }],
    ['an unknown kind', { op: 'ServerInfo', kind: 'explode' as 'http500' }],
    ['tryagain on an operation without chunks', { op: 'DocumentExists', kind: 'tryagain' }],
    ['malformedGrant on an operation that grants no handler', { op: 'UploadFileChunk', kind: 'malformedGrant' }],
    ['diskFull on an operation that appends nothing', { op: 'CreateUploadHandler', kind: 'diskFull' }],
    ['expireTicket on an operation without a ticket', { op: 'ServerInfo', kind: 'expireTicket' }],
    ['latency without latencyMs', { op: 'ServerInfo', kind: 'latency' }],
    ['at and probability together', { op: 'ServerInfo', kind: 'http500', at: [1], probability: 0.5 }],
    ['a call number of 0', { op: 'ServerInfo', kind: 'http500', at: [0] }],
    ['a probability over 1', { op: 'ServerInfo', kind: 'http500', probability: 2 }],
  ])('refuses %s', (_case, rule) => {
    expect(() => emulator.faults.add(rule)).toThrow(TypeError);
  });

  it('rules given to startEmulator apply from the start; a bad one makes it fail', async () => {
    const faulty = await startEmulator({ faults: [{ op: 'ServerInfo', kind: 'http500', at: [1] }] });
    try {
      expect((await fetch(`${faulty.url}/ServerInfo`)).status).toBe(500);
      expect((await fetch(`${faulty.url}/ServerInfo`)).status).toBe(200);
    } finally {
      await faulty.close();
    }
    await expect(startEmulator({ faults: [{ op: 'ServerInfo', kind: 'tryagain' }] })).rejects.toThrow('tryagain does not apply to ServerInfo');
  });
});

describe('parseFaultSpec', () => {
  it('reads the --faults syntax', () => {
    expect(parseFaultSpec('UploadFileChunk@3:dropReply, DownloadFileChunk@p0.05:corrupt,*@p.01x2:http500,*:latency=50,LogOut@1+4+9:systemError')).toEqual([
      { op: 'UploadFileChunk', kind: 'dropReply', at: [3] },
      { op: 'DownloadFileChunk', kind: 'corrupt', probability: 0.05 },
      { op: '*', kind: 'http500', probability: 0.01, times: 2 },
      { op: '*', kind: 'latency', latencyMs: 50 },
      { op: 'LogOut', kind: 'systemError', at: [1, 4, 9] },
    ]);
    expect(parseFaultSpec('')).toEqual([]);
  });

  it('reads the new kinds, and refuses them where they do not apply', () => {
    expect(parseFaultSpec('UploadFileChunk@2:diskFull,GetDownloadHandler@p0.1:malformedGrant')).toEqual([
      { op: 'UploadFileChunk', kind: 'diskFull', at: [2] },
      { op: 'GetDownloadHandler', kind: 'malformedGrant', probability: 0.1 },
    ]);
    expect(() => parseFaultSpec('ServerInfo:diskFull')).toThrow('diskFull does not apply to ServerInfo');
  });

  it.each(['UploadFileChunk', 'UploadFileChunk@:tryagain', 'UploadFileChunk@x:tryagain', '@1:http500', 'A@1:b:c', 'NoSuchOperation:tryagain', 'ServerInfo:explode'])('refuses %j', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(TypeError);
  });

  it('produces rules the emulator accepts and injects', async () => {
    const spec = await startEmulator({ faults: parseFaultSpec('UploadFileChunk@2:tryagain') });
    try {
      const specTicket = await login(spec.url);
      const content = randomBytes(262144 * 2);
      const handler = await createUploadHandler(spec.url, specTicket);
      const replies = [];
      for (const [chunk, last] of [[content.subarray(0, 262144), false], [content.subarray(262144), true], [content.subarray(262144), true]] as const) {
        replies.push((await uploadChunk(spec.url, specTicket, handler, chunk, last)).result.attrs.tryagain);
      }
      expect(replies).toEqual(['false', 'true', 'false']);
      expect(spec.faults.injected()).toEqual([{ op: 'UploadFileChunk', kind: 'tryagain', call: 2 }]);
    } finally {
      await spec.close();
    }
  });
});

describe('a client that ignores a lost reply', () => {
  it('is caught by filehexcrc: the resent chunk was appended twice', async () => {
    const content = randomBytes(262144 * 2);
    const handler = await createUploadHandler(emulator.url, ticket);
    emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [1] });
    const firstChunk = content.subarray(0, 262144);
    await expect(uploadChunk(emulator.url, ticket, handler, firstChunk, false)).rejects.toThrow();
    await uploadChunk(emulator.url, ticket, handler, firstChunk, false);
    const last = await uploadChunk(emulator.url, ticket, handler, content.subarray(262144), true);
    expect(Number.parseInt(last.result.attrs.filehexcrc ?? '', 16)).not.toBe(crcValue(content));
    expect(handlerBytes(handler)).toBe(262144 * 3);
  });
});
