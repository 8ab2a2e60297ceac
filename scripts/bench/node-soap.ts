// node-soap as a typical WSDL-to-TypeScript client uses it: createClientAsync(wsdl) with default
// options, the generated method per operation, base64 strings in and out.
import { crc32 } from 'node:zlib';
import soap from 'soap';
import { WSDL_PATH } from '../../src/package-files.js';
import { TICKET, UPLOAD_HANDLER, downloadHandlerFor, type WorkerSpec } from './protocol.js';

type Method = (args: Record<string, unknown>) => Promise<[Record<string, unknown>]>;

export async function prepareNodeSoap(spec: WorkerSpec, source: Buffer): Promise<() => Promise<void>> {
  const client = await soap.createClientAsync(WSDL_PATH);
  client.setEndpoint(spec.url);
  const port = (client as unknown as Record<string, Record<string, Record<string, Method>>>)['srv']?.['srvSoap'];
  const method = (name: string): Method => {
    const callback = port?.[name] as unknown as (args: unknown, cb: (error: unknown, result: Record<string, unknown>) => void) => void;
    return (args) => new Promise((resolve, reject) => callback(args, (error, result) => (error ? reject(error) : resolve([result]))));
  };
  return spec.direction === 'upload' ? () => upload(method('UploadFileChunk'), spec, source) : () => download(method('DownloadFileChunk'), spec);
}

async function upload(call: Method, spec: WorkerSpec, source: Buffer): Promise<void> {
  for (let offset = 0; offset < source.length; offset += spec.chunkSize) {
    const chunk = source.subarray(offset, offset + spec.chunkSize);
    const [result] = await call({
      authenticationTicket: TICKET,
      uploadHandler: UPLOAD_HANDLER,
      fileChunk: chunk.toString('base64'),
      chunkHEXCRC: (crc32(chunk) >>> 0).toString(16).toUpperCase(),
      lastChunk: offset + chunk.length >= source.length,
    });
    if (attributesOf(result['UploadFileChunkResult'])['success'] !== 'true') throw new Error('UploadFileChunk failed');
  }
}

async function download(call: Method, spec: WorkerSpec): Promise<void> {
  const handler = downloadHandlerFor(spec.bytesPerRun);
  for (let offset = 0; offset < spec.bytesPerRun; ) {
    const [result] = await call({ authenticationTicket: TICKET, DownloadHandler: handler, StartOffset: offset, ChunkSize: spec.chunkSize });
    const element = firstChild(result['DownloadFileChunkResult']);
    const data = Buffer.from(String(element['$value'] ?? ''), 'base64');
    if ((crc32(data) >>> 0) !== Number.parseInt(attributesOf(result['DownloadFileChunkResult'])['chunkCRC32'] ?? '', 16)) {
      throw new Error(`DownloadFileChunk at ${offset}: CRC mismatch`);
    }
    offset += data.length;
  }
}

function firstChild(wrapper: unknown): Record<string, unknown> {
  const object = (wrapper ?? {}) as Record<string, unknown>;
  const name = Object.keys(object).find((key) => key !== 'attributes' && key !== '$value');
  return (name === undefined ? {} : object[name]) as Record<string, unknown>;
}

function attributesOf(wrapper: unknown): Record<string, string> {
  return (firstChild(wrapper)['attributes'] ?? {}) as Record<string, string>;
}
