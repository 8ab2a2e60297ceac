// The benchmark's server, run as a child process so its CPU is not the client's: it answers every
// call with a fixed small reply, except DownloadFileChunk, whose replies are built once per chunk
// size. An upload's bytes are read and dropped. The downloaded "document" repeats one random chunk;
// its size rides in the download handler's last 12 hex digits. SOAP 1.1, or the HTTP POST binding
// (`/srv.asmx/{Op}`, forms and multipart, bare replies). GET /bytes answers, as JSON, the bytes that
// each operation's requests took on the wire, headers included.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { SOAP11, TICKET, UPLOAD_HANDLER, downloadHandlerFor, sizeOfHandler } from './protocol.js';

interface PreparedChunk {
  data: Buffer;
  base64: Buffer;
  crcHex: string;
}

const chunks = new Map<number, PreparedChunk>();

/** The random chunk of this size, prepared once. */
function preparedChunk(size: number): PreparedChunk {
  let chunk = chunks.get(size);
  if (!chunk) {
    const data = randomBytes(size);
    chunk = { data, base64: Buffer.from(data.toString('base64'), 'latin1'), crcHex: hex(crc32(data)) };
    chunks.set(size, chunk);
  }
  return chunk;
}

/** The CRC-32 of `size` bytes made of the chunk repeated (size is a multiple of its length). */
function documentCrc(chunk: PreparedChunk, size: number): string {
  let crc = 0;
  for (let done = 0; done < size; done += chunk.data.length) crc = crc32(chunk.data, crc);
  return hex(crc);
}

function hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}

/** A reply envelope up to its result element, and after it; over HTTP POST, the bare element's prologue. */
function envelopeAround(op: string, bare: boolean): [string, string] {
  if (bare) return ['<?xml version="1.0" encoding="utf-8"?>', ''];
  return [
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>`,
    `</${op}Result></${op}Response></soap:Body></soap:Envelope>`,
  ];
}

/** A parameter of an envelope, or of a form. */
function param(body: string, name: string): string {
  return new RegExp(`<(?:\\w+:)?${name}>([^<]*)<`).exec(body)?.[1] ?? new URLSearchParams(body).get(name) ?? '';
}

function smallReply(op: string, body: string): string {
  switch (op) {
    case 'AuthenticateUser':
      return `<root success="true" ticket="${TICKET}" userid="1" username="bench" expireOn="2030-01-01T00:00:00Z"/>`;
    case 'CreateUploadHandler':
      return `<response xmlns="" success="true" error="" UploadHandler="${UPLOAD_HANDLER}" ChunkSize="${param(body, 'PreferedChunkSize')}"/>`;
    case 'GetDownloadHandler': {
      const [, size, chunkSize] = /bench-(\d+)-(\d+)/.exec(param(body, 'Path')) ?? [];
      const crc = documentCrc(preparedChunk(Number(chunkSize)), Number(size));
      return `<response xmlns="" success="true" error="" Size="${size}" ContentType="application/octet-stream" CRC32="${crc}" ChunkSize="${chunkSize}" downloadhandler="${downloadHandlerFor(Number(size))}"/>`;
    }
    case 'UploadDocumentWithHandler':
      return '<root success="true" error="" DocumentId="1" VersionId="1"/>';
    default:
      return '<response xmlns="" success="true" error=""/>';
  }
}

function sendChunk(res: http.ServerResponse, body: string, bare: boolean): void {
  const offset = Number(param(body, 'StartOffset'));
  const chunk = preparedChunk(Number(param(body, 'ChunkSize')));
  const size = sizeOfHandler(param(body, 'DownloadHandler'));
  const last = offset + chunk.data.length >= size;
  const [open, close] = envelopeAround('DownloadFileChunk', bare);
  const headBytes = Buffer.from(`${open}<response xmlns="" success="true" error="" filelength="${size}" chunklength="${chunk.data.length}" lastchunk="${last}" chunkCRC32="${chunk.crcHex}">`);
  const tailBytes = Buffer.from(`</response>${close}`);
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': headBytes.length + chunk.base64.length + tailBytes.length });
  res.write(headBytes);
  res.write(chunk.base64);
  res.end(tailBytes);
}

/** Bytes of each operation's requests, read off their connections. */
const wireBytes: Record<string, number> = {};
const readBefore = new WeakMap<object, number>();

/** Requests on a connection come one after another, so what it read since the last one ended is this one. */
function countWire(req: http.IncomingMessage, op: string): void {
  const { socket } = req;
  wireBytes[op] = (wireBytes[op] ?? 0) + socket.bytesRead - (readBefore.get(socket) ?? 0);
  readBefore.set(socket, socket.bytesRead);
}

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'GET' && req.url === '/bytes') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(wireBytes));
  const action = /tempuri\.org\/(\w+)/.exec(String(req.headers['soapaction'] ?? req.headers['content-type']))?.[1];
  const bare = action === undefined;
  const op = action ?? /\/srv\.asmx\/(\w+)/.exec(req.url ?? '')?.[1] ?? '';
  if (op === 'UploadFileChunk') {
    req.resume();
    req.on('end', () => {
      countWire(req, op);
      reply(res, op, '<root success="true" tryagain="false"/>', bare);
    });
    return;
  }
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    countWire(req, op);
    const body = Buffer.concat(parts).toString('utf8');
    if (op === 'DownloadFileChunk') sendChunk(res, body, bare);
    else reply(res, op, smallReply(op, body), bare);
  });
}

function reply(res: http.ServerResponse, op: string, inner: string, bare: boolean): void {
  const [open, close] = envelopeAround(op, bare);
  const xml = `${open}${inner}${close}`;
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) }).end(xml);
}

const server = http.createServer(answer);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx\n`));
process.on('SIGTERM', () => process.exit(0));
