// The one scripted /srv.asmx behind nock, for unit tests of the client's decisions: it logs in,
// stages uploads (appending chunks, with filehexcrc unless told not to) and finalizes them, stages
// documents and serves their chunks like the service, records every request, and lets a test
// replace any reply, with a result or with raw HTTP.
import { randomUUID } from 'node:crypto';
import nock from './nock.js';
import { crc32, crcToHex } from '../../src/integrity/crc32.js';
import { SrvSession, type SessionWarning } from '../../src/session/session.js';
import { canonicalXml, operationElement, type XmlNode } from '../helpers/xml.js';

const BASE = 'http://srv.test';
export const SRV_URL = `${BASE}/srv.asmx`;
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface SrvRequest {
  op: string;
  /** The n-th call of this operation, from 1. */
  n: number;
  params: Record<string, string>;
}

/** A result element: its attributes (success included) and text. */
export interface Reply {
  attributes: Record<string, string>;
  text?: string;
}

/** A reply that is not a result: any status, body and content type. */
export interface RawReply {
  status: number;
  body: string;
  contentType?: string;
}

/** Returns the reply to send instead, or undefined to let the fake answer. `nth` counts calls of the same operation, from 1. */
export type Intercept = (request: SrvRequest, nth: number, standard: () => Reply) => Reply | RawReply | undefined;

export interface FakeSrvOptions {
  /** Whether the last chunk's reply carries filehexcrc (default true). */
  fileHexCrc?: boolean;
}

export const ok = (attributes: Record<string, string> = {}, text = ''): Reply => ({ attributes: { success: 'true', ...attributes }, text });
export const fail = (error: string): Reply => ({ attributes: { success: 'false', error } });
export const TICKET_EXPIRED = '[901] Session expired or Invalid ticket';

interface Handler {
  content: Buffer;
  ticket: string;
}

export class FakeSrv {
  readonly requests: SrvRequest[] = [];
  /** Documents by path; a version by `${path}@${versionNumber}`. */
  readonly documents = new Map<string, Buffer>();
  /** Bytes staged per upload handler, as the standard replies append them. */
  readonly staged = new Map<string, Buffer>();
  /** The CRC-32 DocumentExists reports: that of the last finalized upload handler. */
  storedCrc: number | undefined;
  /** Most bytes one DownloadFileChunk returns, whatever ChunkSize asks for. */
  maxChunkLength = Number.MAX_SAFE_INTEGER;
  readonly #handlers = new Map<string, Handler>();
  readonly #intercepts: Intercept[] = [];
  readonly #counts = new Map<string, number>();
  readonly #granted: string[] = [];

  readonly #fileHexCrc: boolean;

  constructor(options: FakeSrvOptions = {}) {
    this.#fileHexCrc = options.fileHexCrc ?? true;
    nock(BASE)
      .persist()
      .post('/srv.asmx')
      .reply((_uri, body) => {
        const reply = this.answer(String(body));
        return [reply.status, reply.body, { 'Content-Type': reply.contentType ?? 'text/html' }];
      });
  }

  intercept(intercept: Intercept): void {
    this.#intercepts.push(intercept);
  }

  calls(op: string): SrvRequest[] {
    return this.requests.filter((r) => r.op === op);
  }

  /** The StartOffset of every DownloadFileChunk, in order. */
  offsets(): number[] {
    return this.calls('DownloadFileChunk').map((r) => Number(r.params['StartOffset']));
  }

  grantedHandlers(): string[] {
    return [...this.#granted];
  }

  deletedHandlers(): string[] {
    return this.calls('DeleteDownloadHandler').map((r) => r.params['DownloadHandler'] ?? '');
  }

  /** Handlers staged and not deleted. */
  liveHandlers(): string[] {
    return [...this.#handlers.keys()];
  }

  login(warnings: SessionWarning[] = []): Promise<SrvSession> {
    return SrvSession.login({ url: SRV_URL, user: 'demo', password: 'demo', retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 }, onWarning: (w) => warnings.push(w) });
  }

  private answer(body: string): RawReply {
    const parsed = parseRequest(body);
    const nth = (this.#counts.get(parsed.op) ?? 0) + 1;
    this.#counts.set(parsed.op, nth);
    const request = { ...parsed, n: nth };
    this.requests.push(request);
    const standard = () => this.standard(request, nth);
    const reply = this.#intercepts.reduce<Reply | RawReply | undefined>((chosen, intercept) => chosen ?? intercept(request, nth, standard), undefined) ?? standard();
    return 'body' in reply ? reply : { status: 200, body: envelope(request.op, reply), contentType: 'text/xml; charset=utf-8' };
  }

  private standard({ op, params }: Omit<SrvRequest, 'n'>, nth: number): Reply {
    switch (op) {
      case 'AuthenticateUser':
        return ok({ ticket: `ticket-${nth}`, userid: '1', username: 'demo', expireOn: '2030-01-01T00:00:00Z' });
      case 'LogOut':
      case 'FolderExists':
        return ok();
      case 'CreateUploadHandler':
        return this.createUploadHandler(params, nth);
      case 'UploadFileChunk':
        return this.append(params);
      case 'DeleteUploadHandler':
        return ok({ error: '' });
      case 'DocumentExists':
        return this.storedCrc === undefined ? fail('Document not found') : ok({ CRC32LASTVERSION: this.storedCrc.toString(16), CRC32: '' });
      case 'GetDownloadHandler':
      case 'GetDownloadHandlerByVersion':
        return this.stage(params);
      case 'DownloadFileChunk':
        return this.chunk(params);
      case 'DeleteDownloadHandler':
        this.#handlers.delete(params['DownloadHandler'] ?? '');
        return ok({ error: '' });
      default:
        return op.startsWith('Upload') ? this.finalize(params) : fail(`${op} is not scripted in this test`);
    }
  }

  /** Upload handlers are numbered, 11111111-1111-4111-8111-00000000000N, and not bound to a session. */
  private createUploadHandler(params: Record<string, string>, nth: number): Reply {
    const handler = `11111111-1111-4111-8111-${String(nth).padStart(12, '0')}`;
    this.staged.set(handler, Buffer.alloc(0));
    return ok({ error: '', UploadHandler: handler, ChunkSize: params['PreferedChunkSize'] ?? '' });
  }

  private append(params: Record<string, string>): Reply {
    const handler = params['uploadHandler'] ?? '';
    const staged = Buffer.concat([this.staged.get(handler) ?? Buffer.alloc(0), Buffer.from(params['fileChunk'] ?? '', 'base64')]);
    this.staged.set(handler, staged);
    const last = params['lastChunk'] === 'true' && this.#fileHexCrc;
    return ok({ tryagain: 'false', ...(last && { filehexcrc: crc32(staged).toString(16) }) });
  }

  private finalize(params: Record<string, string>): Reply {
    this.storedCrc = crc32(this.staged.get(params['uploadHandler'] ?? '') ?? Buffer.alloc(0));
    return ok({ DocumentId: '42', VersionId: '1000001' });
  }

  private stage(params: Record<string, string>): Reply {
    const path = params['Path'] ?? '';
    const version = Number(params['VersionNumber'] ?? 0);
    const content = this.documents.get(version === 0 ? path : `${path}@${version}`);
    if (!content) return fail('Document not found');
    const id = randomUUID();
    this.#handlers.set(id, { content, ticket: params['AuthenticationTicket'] ?? '' });
    this.#granted.push(id);
    const chunkSize = Math.min(33_554_432, Math.max(262_144, Number(params['PreferedChunkSize'])));
    return ok({
      Size: String(content.length),
      ContentType: 'application/octet-stream',
      ModificationDate: '2025-01-02',
      VersionNumber: String(version),
      AlterDocumentName: path.split('/').at(-1) ?? '',
      RenderedContent: 'false',
      CRC32: crcToHex(crc32(content)),
      ChunkSize: String(chunkSize),
      downloadhandler: id,
    });
  }

  /** A handler serves only the session (ticket) that staged it. */
  private chunk(params: Record<string, string>): Reply {
    const handler = this.#handlers.get(params['DownloadHandler'] ?? '');
    if (!handler || handler.ticket !== params['authenticationTicket']) return fail('Invalid download handler. (guid)');
    const offset = Number(params['StartOffset']);
    const data = handler.content.subarray(offset, offset + Math.min(Number(params['ChunkSize']), this.maxChunkLength));
    return ok(
      {
        filelength: String(handler.content.length),
        chunklength: String(data.length),
        lastchunk: String(offset + data.length >= handler.content.length),
        chunkCRC32: crcToHex(crc32(data)),
      },
      data.toString('base64'),
    );
  }
}

/** A fake service whose replies `script` replaces where it returns one. */
export function serviceWith(options: FakeSrvOptions, script: Intercept): FakeSrv {
  const service = new FakeSrv(options);
  service.intercept(script);
  return service;
}

function envelope(op: string, reply: Reply): string {
  const attributes = Object.entries(reply.attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  return soapReply(op, `<response xmlns=""${attributes}>${reply.text ?? ''}</response>`);
}

/** A SOAP 1.1 reply of `op` whose {Op}Result holds `inner`. */
export function soapReply(op: string, inner: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;
}

function parseRequest(body: string): Omit<SrvRequest, 'n'> {
  const element = operationElement(canonicalXml(body));
  const params: Record<string, string> = {};
  for (const child of element.children) {
    if (typeof child !== 'string') params[localName(child)] = child.children.filter((c): c is string => typeof c === 'string').join('');
  }
  return { op: localName(element), params };
}

function localName(node: XmlNode): string {
  return node.name.slice(node.name.indexOf('}') + 1);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}
