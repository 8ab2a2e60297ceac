// The limit of a whole `srv-asmx upload` or `srv-asmx download`, as a process of its own: the
// least a client can do for the same bytes, the yardstick of the CLI's CPU (issue 22). Upload: read
// each chunk into one reused Buffer, CRC-32 it, base64 it into another reused Buffer, POST it over
// keep-alive http.request. Download: one chunk at a time, decode the base64 of each socket read
// into one reused Buffer as it arrives (the few characters a read ends with wait for the next),
// CRC-32 it, check it against the reply's chunkCRC32, pwrite it. Login, handlers and logout as the
// floor makes them (floor.ts). cli-cpu.ts runs it as JavaScript, as the CLI is run.
//   limit-cli.js upload <file> <remotePath> <chunkSize>
//   limit-cli.js download <remotePath> <file> <chunkSize>
// with SRV_ASMX_URL, SRV_ASMX_USER and SRV_ASMX_PASSWORD, as the CLI takes them.
import http from 'node:http';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ENVELOPE_CLOSE, ENVELOPE_OPEN, attribute, call, post, runSession, type FloorTarget } from './floor.js';

async function upload(target: FloorTarget, file: string, remotePath: string, chunkSize: number): Promise<void> {
  const source = await open(file);
  try {
    const size = (await source.stat()).size;
    const grant = await call(target, 'CreateUploadHandler', `<PreferedChunkSize>${chunkSize}</PreferedChunkSize>`);
    const handler = attribute(grant, 'CreateUploadHandler', 'UploadHandler');
    const granted = Number(attribute(grant, 'CreateUploadHandler', 'ChunkSize'));
    const chunk = Buffer.allocUnsafe(granted);
    const base64 = Buffer.allocUnsafe(Math.ceil(granted / 3) * 4);
    const head = Buffer.from(`${ENVELOPE_OPEN}<UploadFileChunk xmlns="http://tempuri.org/"><authenticationTicket>${target.ticket}</authenticationTicket><uploadHandler>${handler}</uploadHandler><fileChunk>`);
    for (let offset = 0; offset < size; offset += granted) {
      const { bytesRead } = await source.read(chunk, 0, Math.min(granted, size - offset), offset);
      const data = chunk.subarray(0, bytesRead);
      const crc = (crc32(data) >>> 0).toString(16).toUpperCase();
      const encoded = base64.write(data.toString('base64'), 0, 'latin1');
      const last = offset + bytesRead >= size;
      const tail = Buffer.from(`</fileChunk><chunkHEXCRC>${crc}</chunkHEXCRC><lastChunk>${last}</lastChunk></UploadFileChunk>${ENVELOPE_CLOSE}`);
      const reply = await post(target, 'UploadFileChunk', [head, base64.subarray(0, encoded), tail]);
      if (reply.indexOf('success="true"') < 0) throw new Error(`UploadFileChunk at ${offset} failed`);
    }
    attribute(await call(target, 'UploadDocumentWithHandler', `<path>${remotePath}</path><uploadHandler>${handler}</uploadHandler>`), 'UploadDocumentWithHandler', 'DocumentId');
  } finally {
    await source.close();
  }
}

async function download(target: FloorTarget, remotePath: string, file: string, chunkSize: number): Promise<void> {
  const grant = await call(target, 'GetDownloadHandler', `<Path>${remotePath}</Path><PreferedChunkSize>${chunkSize}</PreferedChunkSize>`, 'AuthenticationTicket');
  const handler = attribute(grant, 'GetDownloadHandler', 'downloadhandler');
  const size = Number(attribute(grant, 'GetDownloadHandler', 'Size'));
  const granted = Number(attribute(grant, 'GetDownloadHandler', 'ChunkSize'));
  const destination = await open(file, 'w');
  try {
    const chunk = new ChunkDecoder(granted);
    for (let offset = 0; offset < size; ) {
      const length = await downloadChunk(target, handler, offset, granted, chunk, destination);
      if (length === 0) throw new Error(`DownloadFileChunk at ${offset}: no bytes`);
      offset += length;
    }
  } finally {
    await destination.close();
  }
  await call(target, 'DeleteDownloadHandler', `<DownloadHandler>${handler}</DownloadHandler>`);
}

/** One DownloadFileChunk, decoded as it streams in, CRC-checked and written at `offset`: its length. */
function downloadChunk(target: FloorTarget, handler: string, offset: number, chunkSize: number, chunk: ChunkDecoder, destination: FileHandle): Promise<number> {
  const op = 'DownloadFileChunk';
  const body = `${ENVELOPE_OPEN}<${op} xmlns="http://tempuri.org/"><authenticationTicket>${target.ticket}</authenticationTicket><DownloadHandler>${handler}</DownloadHandler><StartOffset>${offset}</StartOffset><ChunkSize>${chunkSize}</ChunkSize></${op}>${ENVELOPE_CLOSE}`;
  const headers = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"http://tempuri.org/${op}"`, 'Content-Length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const request = http.request(target.url, { method: 'POST', agent: target.agent, headers }, (response) => {
      chunk.begin();
      response.on('data', (read: Buffer) => chunk.add(read));
      response.on('error', reject);
      response.on('end', () => {
        const data = chunk.end();
        if (chunk.crc !== chunk.expectedCrc) return reject(new Error(`${op} at ${offset}: CRC mismatch`));
        destination.write(data, 0, data.length, offset).then(() => resolve(data.length), reject);
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A DownloadFileChunk reply's base64 text, decoded into one reused Buffer read by read, and its CRC-32 as it goes. */
class ChunkDecoder {
  readonly #out: Buffer;
  #written = 0;
  /** The reply's bytes until the text's start tag has been seen; then undefined. */
  #head: Buffer | undefined;
  #inText = false;
  /** Up to three characters a read ended with, waiting for the next. */
  #carry = '';
  crc = 0;
  expectedCrc = -1;

  constructor(chunkSize: number) {
    this.#out = Buffer.allocUnsafe(chunkSize);
  }

  begin(): void {
    this.#written = 0;
    this.#head = Buffer.alloc(0);
    this.#inText = false;
    this.#carry = '';
    this.crc = 0;
    this.expectedCrc = -1;
  }

  add(read: Buffer): void {
    if (this.#head !== undefined) {
      const head = Buffer.concat([this.#head, read]);
      const tag = head.indexOf('<response');
      const textStart = tag < 0 ? -1 : head.indexOf('>', tag) + 1;
      if (textStart <= 0) return void (this.#head = head);
      this.expectedCrc = Number.parseInt(/chunkCRC32="([0-9a-fA-F]+)"/.exec(head.toString('latin1', tag, textStart))?.[1] ?? '', 16);
      this.#head = undefined;
      this.#inText = true;
      return this.text(head.subarray(textStart));
    }
    if (this.#inText) this.text(read);
  }

  end(): Buffer {
    if (this.#carry !== '') this.decode(this.#carry);
    return this.#out.subarray(0, this.#written);
  }

  private text(read: Buffer): void {
    const lt = read.indexOf(0x3c);
    const end = lt < 0 ? read.length : lt;
    if (lt >= 0) this.#inText = false;
    let from = 0;
    if (this.#carry !== '') {
      from = Math.min(end, 4 - this.#carry.length);
      this.#carry += read.toString('latin1', 0, from);
      if (this.#carry.length < 4 && lt < 0) return;
      this.decode(this.#carry);
      this.#carry = '';
    }
    const whole = lt >= 0 ? end : from + (end - from) - ((end - from) % 4);
    if (whole > from) this.decode(read.toString('latin1', from, whole));
    this.#carry = read.toString('latin1', whole, end);
  }

  private decode(text: string): void {
    const at = this.#written;
    this.#written += this.#out.write(text, at, 'base64');
    this.crc = crc32(this.#out.subarray(at, this.#written), this.crc) >>> 0;
  }
}

await runSession(upload, download);
