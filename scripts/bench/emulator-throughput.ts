// The emulator's own speed: `serve` in a child process, driven over one keep-alive connection by
// hand-written requests (no client code in the measurement). UploadFileChunk envelopes of one random
// chunk, repeated, then DownloadFileChunk of the document they made, every reply's base64 compared
// with that chunk's. The raw floor is the same requests, in the same run, against the discard server,
// which does no work: what loopback HTTP of these bytes costs this machine.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { crc32 } from 'node:zlib';
import { MIB } from './chunks.js';
import { startServer, type Server } from './processes.js';
import { documentPath, SOAP11 } from './protocol.js';

export interface ThroughputPlan {
  chunkSize: number;
  /** Bytes moved each way per run. */
  bytes: number;
  runs: number;
}

/** The best run of each direction, in MiB/s of raw (not base64) bytes. */
export interface Rates {
  upload: number;
  download: number;
}

export interface ThroughputResult extends ThroughputPlan {
  emulator: Rates;
  floor: Rates;
}

interface Chunk {
  base64: Buffer;
  crcHex: string;
}

const SERVICE = 'http://tempuri.org/';

export async function benchmarkEmulatorThroughput(plan: ThroughputPlan, log: (line: string) => void): Promise<ThroughputResult> {
  const data = randomBytes(plan.chunkSize);
  const chunk = { base64: Buffer.from(data.toString('base64'), 'latin1'), crcHex: (crc32(data) >>> 0).toString(16).padStart(8, '0') };
  const maxBody = String(2 * plan.chunkSize + MIB);
  const floorServer = await startServer('scripts/bench/discard-server.ts');
  const emulatorServer = await startServer('src/cli/main.ts', ['serve', '--max-body', maxBody]).catch(async (error: unknown) => {
    await floorServer.stop();
    throw error;
  });
  try {
    const floor = await Target.login(floorServer, plan, chunk, false);
    const emulator = await Target.login(emulatorServer, plan, chunk, true);
    const samples = { floor: [] as Rates[], emulator: [] as Rates[] };
    for (let run = 1; run <= plan.runs; run += 1) {
      // Interleaved, so that a busy moment of the machine falls on both alike.
      for (const [name, target] of [['floor', floor], ['emulator', emulator]] as const) {
        const rates = { upload: await target.upload(run === 1), download: await target.download() };
        samples[name].push(rates);
        log(`emulator throughput, run ${run}, ${name}: upload ${rates.upload.toFixed(0)} MiB/s, download ${rates.download.toFixed(0)} MiB/s`);
      }
    }
    return { ...plan, emulator: best(samples.emulator), floor: best(samples.floor) };
  } finally {
    await Promise.all([floorServer.stop(), emulatorServer.stop()]);
  }
}

function best(samples: readonly Rates[]): Rates {
  return { upload: Math.max(...samples.map((s) => s.upload)), download: Math.max(...samples.map((s) => s.download)) };
}

/** One server, with a ticket, driven one request at a time. */
class Target {
  readonly #path: string;

  private constructor(
    readonly url: URL,
    readonly agent: http.Agent,
    readonly plan: ThroughputPlan,
    readonly chunk: Chunk,
    /** Compare every downloaded chunk with the uploaded one (the discard server sends bytes of its own). */
    readonly verify: boolean,
    readonly ticket: string,
  ) {
    this.#path = documentPath(plan.bytes, plan.chunkSize);
  }

  static async login(server: Server, plan: ThroughputPlan, chunk: Chunk, verify: boolean): Promise<Target> {
    const url = new URL(server.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const reply = await call(url, agent, 'AuthenticateUser', [envelope('AuthenticateUser', [['UID', 'demo'], ['PWD', 'demo']])]);
    return new Target(url, agent, plan, chunk, verify, attribute(reply, 'ticket'));
  }

  /** MiB/s of the UploadFileChunk calls. The first run's upload becomes the document the downloads read. */
  async upload(keep: boolean): Promise<number> {
    const { chunkSize, bytes } = this.plan;
    const grant = await this.#call('CreateUploadHandler', [['PreferedChunkSize', String(chunkSize)]]);
    const handler = attribute(grant, 'UploadHandler');
    const head = Buffer.from(envelopeHead('UploadFileChunk', [['authenticationTicket', this.ticket], ['uploadHandler', handler]]) + '<fileChunk>');
    const started = performance.now();
    for (let offset = 0; offset < bytes; offset += chunkSize) {
      const last = offset + chunkSize >= bytes;
      const tail = Buffer.from(`</fileChunk>${fields([['chunkHEXCRC', this.chunk.crcHex], ['lastChunk', String(last)]])}${envelopeTail('UploadFileChunk')}`);
      const reply = await call(this.url, this.agent, 'UploadFileChunk', [head, this.chunk.base64, tail]);
      if (!succeeded(reply) || /tryagain="true"/.test(reply.toString('latin1'))) throw new Error(`UploadFileChunk at ${offset} failed: ${reply.toString('utf8', 0, 400)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    if (keep) await this.#call('UploadDocumentWithHandler', [['path', this.#path], ['uploadHandler', handler]]);
    else await this.#call('DeleteUploadHandler', [['UploadHandler', handler]]);
    return bytes / MIB / seconds;
  }

  /** MiB/s of the DownloadFileChunk calls. */
  async download(): Promise<number> {
    const { chunkSize, bytes } = this.plan;
    const grant = await this.#call('GetDownloadHandler', [['Path', this.#path], ['PreferedChunkSize', String(chunkSize)]], 'AuthenticationTicket');
    const handler = attribute(grant, 'downloadhandler');
    const started = performance.now();
    for (let offset = 0; offset < bytes; offset += chunkSize) {
      const reply = await this.#call('DownloadFileChunk', [['DownloadHandler', handler], ['StartOffset', String(offset)], ['ChunkSize', String(chunkSize)]]);
      this.#check(reply, offset);
    }
    const seconds = (performance.now() - started) / 1000;
    await this.#call('DeleteDownloadHandler', [['DownloadHandler', handler]]);
    return bytes / MIB / seconds;
  }

  #check(reply: Buffer, offset: number): void {
    const tag = reply.indexOf('<response');
    const textStart = reply.indexOf('>', tag) + 1;
    const text = reply.subarray(textStart, reply.indexOf('<', textStart));
    const fine = this.verify
      ? text.equals(this.chunk.base64) && attribute(reply, 'chunkCRC32') === this.chunk.crcHex
      : text.length === this.chunk.base64.length;
    if (tag < 0 || !succeeded(reply) || !fine) throw new Error(`DownloadFileChunk at ${offset}: not the chunk uploaded`);
  }

  #call(op: string, params: Array<[string, string]>, ticketName = 'authenticationTicket'): Promise<Buffer> {
    return call(this.url, this.agent, op, [envelope(op, [[ticketName, this.ticket], ...params])]);
  }
}

function fields(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([name, value]) => `<${name}>${value}</${name}>`).join('');
}

function envelopeHead(op: string, params: ReadonlyArray<readonly [string, string]>): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><${op} xmlns="${SERVICE}">${fields(params)}`;
}

const envelopeTail = (op: string): string => `</${op}></soap:Body></soap:Envelope>`;

const envelope = (op: string, params: ReadonlyArray<readonly [string, string]>): Buffer => Buffer.from(envelopeHead(op, params) + envelopeTail(op));

/** An attribute of the result element, found in the reply's first few hundred bytes. */
function attribute(reply: Buffer, name: string): string {
  const value = new RegExp(` ${name}="([^"]*)"`).exec(reply.toString('utf8', 0, 2048))?.[1];
  if (value === undefined) throw new Error(`no ${name} in the reply: ${reply.toString('utf8', 0, 400)}`);
  return value;
}

const succeeded = (reply: Buffer): boolean => reply.subarray(0, 2048).includes('success="true"');

/** POSTs the body's pieces; the reply goes into one Buffer the size of its Content-Length. */
function call(url: URL, agent: http.Agent, op: string, body: readonly Buffer[]): Promise<Buffer> {
  const length = body.reduce((sum, part) => sum + part.length, 0);
  const headers = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${SERVICE}${op}"`, 'Content-Length': length };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      const reply = Buffer.allocUnsafe(Number(response.headers['content-length'] ?? 0));
      let filled = 0;
      response.on('data', (part: Buffer) => {
        filled += part.copy(reply, filled);
      });
      response.on('end', () => (response.statusCode === 200 && filled === reply.length ? resolve(reply) : reject(new Error(`${op}: HTTP ${response.statusCode}, ${filled} of ${reply.length} bytes`))));
      response.on('error', reject);
    });
    request.on('error', reject);
    for (const part of body) request.write(part);
    request.end();
  });
}

/** The report's section: the emulator's figures, and the floor's beside them. */
export function throughputSection(result: ThroughputResult): string {
  const share = (rate: number, floor: number) => `${((rate / floor) * 100).toFixed(0)} %`;
  const { emulator, floor } = result;
  return [
    `## Emulator throughput (${result.chunkSize / MIB} MiB chunks, ${result.bytes / MIB} MiB each way, best of ${result.runs})`,
    '',
    `Emulator throughput: upload ${emulator.upload.toFixed(0)} MiB/s, download ${emulator.download.toFixed(0)} MiB/s.`,
    '',
    `Raw floor (the same requests over loopback HTTP to a server that does no work): upload ${floor.upload.toFixed(0)} MiB/s, ` +
      `download ${floor.download.toFixed(0)} MiB/s; the emulator reaches ${share(emulator.upload, floor.upload)} and ${share(emulator.download, floor.download)} of it. ` +
      '`serve` runs in a child process of its own; the driver is hand-written raw HTTP over one keep-alive connection, so no client code is measured.',
  ].join('\n');
}
