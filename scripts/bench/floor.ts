// The floor: the least work a chunk can cost, written by hand for this one service. Upload: CRC,
// base64, an envelope built as Buffers, written over a keep-alive http.request. Download: receive
// the reply, cut the base64 text out, decode it, CRC. No SOAP library, no checks beyond the CRC.
import http from 'node:http';
import { crc32 } from 'node:zlib';
import { SOAP11, TICKET, UPLOAD_HANDLER, downloadHandlerFor, type WorkerSpec } from './protocol.js';

const ENVELOPE_OPEN = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body>`;
const ENVELOPE_CLOSE = '</soap:Body></soap:Envelope>';

export function prepareFloor(spec: WorkerSpec, source: Buffer): () => Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(spec.url);
  return spec.direction === 'upload' ? () => upload(agent, url, spec, source) : () => download(agent, url, spec);
}

async function upload(agent: http.Agent, url: URL, spec: WorkerSpec, source: Buffer): Promise<void> {
  const head = Buffer.from(
    `${ENVELOPE_OPEN}<UploadFileChunk xmlns="http://tempuri.org/"><authenticationTicket>${TICKET}</authenticationTicket><uploadHandler>${UPLOAD_HANDLER}</uploadHandler><fileChunk>`,
  );
  for (let offset = 0; offset < source.length; offset += spec.chunkSize) {
    const chunk = source.subarray(offset, offset + spec.chunkSize);
    const crc = (crc32(chunk) >>> 0).toString(16).toUpperCase();
    const payload = Buffer.from(chunk.toString('base64'), 'latin1');
    const last = offset + chunk.length >= source.length;
    const tail = Buffer.from(`</fileChunk><chunkHEXCRC>${crc}</chunkHEXCRC><lastChunk>${last}</lastChunk></UploadFileChunk>${ENVELOPE_CLOSE}`);
    const reply = await post(agent, url, 'UploadFileChunk', [head, payload, tail]);
    if (reply.indexOf('success="true"') < 0) throw new Error('UploadFileChunk failed');
  }
}

async function download(agent: http.Agent, url: URL, spec: WorkerSpec): Promise<void> {
  const handler = downloadHandlerFor(spec.bytesPerRun);
  for (let offset = 0; offset < spec.bytesPerRun; ) {
    const request = Buffer.from(
      `${ENVELOPE_OPEN}<DownloadFileChunk xmlns="http://tempuri.org/"><authenticationTicket>${TICKET}</authenticationTicket><DownloadHandler>${handler}</DownloadHandler><StartOffset>${offset}</StartOffset><ChunkSize>${spec.chunkSize}</ChunkSize></DownloadFileChunk>${ENVELOPE_CLOSE}`,
    );
    const reply = await post(agent, url, 'DownloadFileChunk', [request]);
    const tag = reply.indexOf('<response');
    const textStart = reply.indexOf('>', tag) + 1;
    const textEnd = reply.indexOf('<', textStart);
    const data = Buffer.from(reply.toString('latin1', textStart, textEnd), 'base64');
    const attributes = reply.toString('latin1', tag, textStart);
    const expected = Number.parseInt(/chunkCRC32="([0-9a-fA-F]+)"/.exec(attributes)?.[1] ?? '', 16);
    if ((crc32(data) >>> 0) !== expected) throw new Error(`DownloadFileChunk at ${offset}: CRC mismatch`);
    offset += data.length;
  }
}

function post(agent: http.Agent, url: URL, op: string, body: Buffer[]): Promise<Buffer> {
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
