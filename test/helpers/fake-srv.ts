// A scripted /srv.asmx behind nock: it logs in, stages documents and serves their chunks like the
// service, records every request, and lets a test replace any reply.
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
  params: Record<string, string>;
}

/** A result element: its attributes (success included) and text. */
export interface Reply {
  attributes: Record<string, string>;
  text?: string;
}

/** Returns the reply to send instead, or undefined to let the fake answer. `nth` counts calls of the same operation, from 1. */
export type Intercept = (request: SrvRequest, nth: number, standard: () => Reply) => Reply | undefined;

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
  /** Most bytes one DownloadFileChunk returns, whatever ChunkSize asks for. */
  maxChunkLength = Number.MAX_SAFE_INTEGER;
  readonly #handlers = new Map<string, Handler>();
  readonly #intercepts: Intercept[] = [];
  readonly #counts = new Map<string, number>();
  readonly #granted: string[] = [];

  constructor() {
    nock(BASE)
      .persist()
      .post('/srv.asmx')
      .reply((_uri, body) => [200, this.answer(String(body)), { 'Content-Type': 'text/xml; charset=utf-8' }]);
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

  private answer(body: string): string {
    const request = parseRequest(body);
    this.requests.push(request);
    const nth = (this.#counts.get(request.op) ?? 0) + 1;
    this.#counts.set(request.op, nth);
    const standard = () => this.standard(request);
    const reply = this.#intercepts.reduce<Reply | undefined>((chosen, intercept) => chosen ?? intercept(request, nth, standard), undefined) ?? standard();
    return envelope(request.op, reply);
  }

  private standard({ op, params }: SrvRequest): Reply {
    switch (op) {
      case 'AuthenticateUser':
        return ok({ ticket: `ticket-${this.#counts.get(op) ?? 0}`, userid: '1', username: 'demo', expireOn: '2030-01-01T00:00:00Z' });
      case 'GetDownloadHandler':
      case 'GetDownloadHandlerByVersion':
        return this.stage(params);
      case 'DownloadFileChunk':
        return this.chunk(params);
      case 'DeleteDownloadHandler':
        this.#handlers.delete(params['DownloadHandler'] ?? '');
        return ok({ error: '' });
      default:
        return fail(`${op} is not scripted in this test`);
    }
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

function envelope(op: string, reply: Reply): string {
  const attributes = Object.entries(reply.attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const inner = `<response xmlns=""${attributes}>${reply.text ?? ''}</response>`;
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;
}

function parseRequest(body: string): SrvRequest {
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
