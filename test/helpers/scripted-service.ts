// A scripted stand-in for the service over nock, for unit tests of retry decisions: every call is
// recorded, and a script decides its reply (or falls back to a plain, correct default).
import { crc32 } from 'node:zlib';
import nock from './nock.js';

export interface ScriptedCall {
  op: string;
  /** The n-th call of this operation, from 1. */
  n: number;
  fields: Record<string, string>;
}

export type ScriptedReply =
  | { inner: string; status?: number }
  | { raw: string; status: number; contentType?: string }
  | 'default';

export interface ScriptedServiceOptions {
  /** Whether the last chunk's reply carries filehexcrc (default true). */
  fileHexCrc?: boolean;
  script?: (call: ScriptedCall, service: ScriptedService) => ScriptedReply;
}

export interface ScriptedService {
  calls: ScriptedCall[];
  /** Bytes staged per upload handler, as the default replies append them. */
  staged: Map<string, Buffer>;
  /** The CRC-32 DocumentExists reports (that of the last finalized handler). */
  storedCrc: number | undefined;
  callsOf(op: string): ScriptedCall[];
}

export function scriptedService(base: string, options: ScriptedServiceOptions = {}): ScriptedService {
  const counts = new Map<string, number>();
  const service: ScriptedService = {
    calls: [],
    staged: new Map(),
    storedCrc: undefined,
    callsOf: (op) => service.calls.filter((c) => c.op === op),
  };
  nock(base)
    .persist()
    .post('/srv.asmx')
    .reply(function (_path, body) {
      const text = String(body);
      const op = /tempuri\.org\/(\w+)/.exec(String(this.req.headers['soapaction']))?.[1] ?? '?';
      const n = (counts.get(op) ?? 0) + 1;
      counts.set(op, n);
      const call: ScriptedCall = { op, n, fields: fieldsOf(text, op) };
      service.calls.push(call);
      const reply = options.script?.(call, service) ?? 'default';
      const chosen = reply === 'default' ? { inner: defaultReply(call, service, options.fileHexCrc ?? true) } : reply;
      if ('raw' in chosen) return [chosen.status, chosen.raw, { 'Content-Type': chosen.contentType ?? 'text/html' }];
      return [chosen.status ?? 200, envelope(op, chosen.inner), { 'Content-Type': 'text/xml; charset=utf-8' }];
    });
  return service;
}

export function envelope(op: string, inner: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;
}

function fieldsOf(body: string, op: string): Record<string, string> {
  const inner = new RegExp(`<${op}[^>]*>([\\s\\S]*)</${op}>`).exec(body)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const match of inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) fields[match[1] as string] = (match[2] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return fields;
}

function defaultReply(call: ScriptedCall, service: ScriptedService, fileHexCrc: boolean): string {
  const f = call.fields;
  switch (call.op) {
    case 'AuthenticateUser':
      return `<root success="true" ticket="00000000-0000-4000-8000-00000000000${call.n}" userid="1" username="demo" expireOn="2030-01-01T00:00:00Z"/>`;
    case 'CreateUploadHandler': {
      const handler = `11111111-1111-4111-8111-${String(call.n).padStart(12, '0')}`;
      service.staged.set(handler, Buffer.alloc(0));
      return `<response xmlns="" success="true" error="" UploadHandler="${handler}" ChunkSize="${f['PreferedChunkSize']}"/>`;
    }
    case 'UploadFileChunk': {
      const handler = f['uploadHandler'] as string;
      const staged = Buffer.concat([service.staged.get(handler) ?? Buffer.alloc(0), Buffer.from(f['fileChunk'] ?? '', 'base64')]);
      service.staged.set(handler, staged);
      const crc = f['lastChunk'] === 'true' && fileHexCrc ? ` filehexcrc="${crc32(staged).toString(16)}"` : '';
      return `<root success="true" tryagain="false"${crc}/>`;
    }
    case 'DocumentExists':
      return service.storedCrc === undefined ? '<response success="false" error="Document not found"/>' : `<response success="true" CRC32LASTVERSION="${service.storedCrc.toString(16)}" CRC32=""/>`;
    default:
      if (call.op.startsWith('Upload')) {
        service.storedCrc = crc32(service.staged.get(f['uploadHandler'] as string) ?? Buffer.alloc(0));
        return `<root success="true" DocumentId="42" VersionId="1000001"/>`;
      }
      return '<response xmlns="" success="true" error=""/>';
  }
}
