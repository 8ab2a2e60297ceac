// The floor: the least work a chunk can cost, written by hand for this one service. Upload: CRC,
// base64, an envelope built as Buffers, written over a keep-alive http.request. Download: receive
// the reply, cut the base64 text out, decode it, CRC. No SOAP library, no checks beyond the CRC.
// The chunk loops serve the discard server here and a whole transfer in floor-cli.ts.
import http from 'node:http';
import { crc32 } from 'node:zlib';
import { SOAP11, TICKET, UPLOAD_HANDLER, downloadHandlerFor, type WorkerSpec } from './protocol.js';

export const ENVELOPE_OPEN = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>`;
export const ENVELOPE_CLOSE = '</soap:Body></soap:Envelope>';

/** A server and a ticket, over one keep-alive connection. */
export interface FloorTarget {
  agent: http.Agent;
  url: URL;
  ticket: string;
}

export function floorTarget(url: string, ticket: string): FloorTarget {
  return { agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), url: new URL(url), ticket };
}

export function prepareFloor(spec: WorkerSpec, source: Buffer): () => Promise<void> {
  const target = floorTarget(spec.url, TICKET);
  if (spec.direction === 'download') return () => downloadChunks(target, downloadHandlerFor(spec.bytesPerRun), spec.bytesPerRun, spec.chunkSize);
  return async () => void (await uploadChunks(target, UPLOAD_HANDLER, source.length, spec.chunkSize, (offset, length) => source.subarray(offset, offset + length)));
}

/** UploadFileChunk of `size` bytes, chunk by chunk as `read` gives them; the last reply. */
export async function uploadChunks(target: FloorTarget, handler: string, size: number, chunkSize: number, read: (offset: number, length: number) => Buffer | Promise<Buffer>): Promise<Buffer> {
  const head = Buffer.from(
    `${ENVELOPE_OPEN}<UploadFileChunk xmlns="http://tempuri.org/"><authenticationTicket>${target.ticket}</authenticationTicket><uploadHandler>${handler}</uploadHandler><fileChunk>`,
  );
  let reply: Buffer = Buffer.alloc(0);
  for (let offset = 0; offset < size; offset += chunkSize) {
    const chunk = await read(offset, Math.min(chunkSize, size - offset));
    const crc = (crc32(chunk) >>> 0).toString(16).toUpperCase();
    const payload = Buffer.from(chunk.toString('base64'), 'latin1');
    const last = offset + chunk.length >= size;
    const tail = Buffer.from(`</fileChunk><chunkHEXCRC>${crc}</chunkHEXCRC><lastChunk>${last}</lastChunk></UploadFileChunk>${ENVELOPE_CLOSE}`);
    reply = await post(target, 'UploadFileChunk', [head, payload, tail]);
    if (reply.indexOf('success="true"') < 0) throw new Error('UploadFileChunk failed');
  }
  return reply;
}

/** DownloadFileChunk of `size` bytes, each chunk's CRC checked, and given to `take` if there is one. */
export async function downloadChunks(target: FloorTarget, handler: string, size: number, chunkSize: number, take?: (data: Buffer, offset: number) => Promise<void>): Promise<void> {
  for (let offset = 0; offset < size; ) {
    const reply = await call(target, 'DownloadFileChunk', `<DownloadHandler>${handler}</DownloadHandler><StartOffset>${offset}</StartOffset><ChunkSize>${chunkSize}</ChunkSize>`);
    const tag = reply.indexOf('<response');
    const textStart = reply.indexOf('>', tag) + 1;
    const textEnd = reply.indexOf('<', textStart);
    const data = Buffer.from(reply.toString('latin1', textStart, textEnd), 'base64');
    const attributes = reply.toString('latin1', tag, textStart);
    const expected = Number.parseInt(/chunkCRC32="([0-9a-fA-F]+)"/.exec(attributes)?.[1] ?? '', 16);
    if ((crc32(data) >>> 0) !== expected) throw new Error(`DownloadFileChunk at ${offset}: CRC mismatch`);
    if (data.length === 0) throw new Error(`DownloadFileChunk at ${offset}: no bytes`);
    await take?.(data, offset);
    offset += data.length;
  }
}

/**
 * One call whose parameters are `fields` (XML, already escaped) after the ticket, which goes under
 * `ticketName`; the reply's bytes.
 */
export function call(target: FloorTarget, op: string, fields: string, ticketName = 'authenticationTicket'): Promise<Buffer> {
  const ticket = target.ticket === '' ? '' : `<${ticketName}>${target.ticket}</${ticketName}>`;
  return post(target, op, [Buffer.from(`${ENVELOPE_OPEN}<${op} xmlns="http://tempuri.org/">${ticket}${fields}</${op}>${ENVELOPE_CLOSE}`)]);
}

export function post({ agent, url }: FloorTarget, op: string, body: Buffer[]): Promise<Buffer> {
  const length = body.reduce((sum, part) => sum + part.length, 0);
  const headers = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"http://tempuri.org/${op}"`, 'Content-Length': length };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve(Buffer.concat(parts)));
      response.on('error', reject);
    });
    request.on('error', reject);
    for (const part of body.slice(0, -1)) request.write(part);
    request.end(body.at(-1));
  });
}

/** An attribute of a reply's result element, which must say success="true". */
export function attribute(reply: Buffer, op: string, name: string): string {
  const text = reply.toString('latin1');
  const value = new RegExp(`\\s${name}="([^"]*)"`).exec(text)?.[1];
  if (!text.includes('success="true"') || value === undefined) throw new Error(`${op} failed: ${text.slice(0, 400)}`);
  return value;
}

type Move = (target: FloorTarget, from: string, to: string, chunkSize: number) => Promise<void>;

/**
 * A whole `srv-asmx upload` or `download` as the floor and limit processes do it, from their
 * command line (`upload <file> <remotePath> <chunkSize>` or `download <remotePath> <file>
 * <chunkSize>`) and SRV_ASMX_URL, SRV_ASMX_USER and SRV_ASMX_PASSWORD: log in, move, log out.
 */
export async function runSession(upload: Move, download: Move): Promise<void> {
  const [direction, from, to, chunkSize] = process.argv.slice(2);
  const { SRV_ASMX_URL: url = '', SRV_ASMX_USER: user = '', SRV_ASMX_PASSWORD: password = '' } = process.env;
  const target = floorTarget(url, '');
  target.ticket = attribute(await call(target, 'AuthenticateUser', `<UID>${user}</UID><PWD>${password}</PWD>`), 'AuthenticateUser', 'ticket');
  await (direction === 'upload' ? upload : download)(target, from ?? '', to ?? '', Number(chunkSize));
  await call(target, 'LogOut', '', 'AuthenticationTicket');
  target.agent.destroy();
}
