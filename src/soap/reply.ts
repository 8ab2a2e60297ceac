// Turns what came back into a typed result or a typed error, whichever binding read it: the result
// element's `success` decides, and a missing `success` means failure (docs/protocol.md#results);
// a reply that is no result is classified by what the user has to check.
import type { OperationDescriptor, SoapVersion } from '../../generated/srv.js';
import {
  EndpointError,
  HttpAuthenticationError,
  ReplyTooLargeError,
  RequestTooLargeError,
  SrvError,
  UnexpectedResponseError,
  serviceErrorFor,
} from '../errors.js';
import { schemesOf } from '../http/auth.js';
import type { HttpReply } from '../http/transport.js';
import { attributeOf, decodeResult, handlerNamedIn, MAX_RESULT_ELEMENTS, parseFlag, type RawElement } from './result-values.js';
import { redact } from './redaction.js';
import { prologueOf } from './xml-prologue.js';

/**
 * The typed result of the result element, or the typed error of its in-band failure. `payload`:
 * the element's base64 text, cut out of the reply and decoded before parsing.
 */
export function resultOf(op: OperationDescriptor, element: RawElement, secrets: readonly string[], payload?: Buffer): Record<string, unknown> {
  const succeeded = parseFlag(attributeOf(element, 'success')) === true;
  // A reply asking to resend is handed back whatever `success` says: servers send tryagain with success="false".
  const retryable = op.result.attributes.some((a) => a.name === 'tryagain') && parseFlag(attributeOf(element, 'tryagain')) === true;
  if (!succeeded && !retryable) throw serviceErrorFor(redact(failureText(element), secrets), op.name, handlerNamedIn(element));
  return decodeResult(op, element, payload);
}

/** How many of a failure's log entries its error quotes. */
const MAX_QUOTED_LOGS = 20;

/**
 * What a failure says: its `error`, and the entries of the logs a bulk call puts under it (Lock's
 * `[log]`, a ZIP upload's `<logs>`), each `item: error`, since their structure is not documented
 * everywhere (C57) and `error` may be just "[log]" or missing.
 */
function failureText(element: RawElement): string {
  const error = attributeOf(element, 'error') ?? '';
  const entries = element.children
    .flatMap((child) => (child.name.toLowerCase() === 'logs' ? child.children : [child]))
    .filter((child) => child.name.toLowerCase() === 'log')
    .map(logEntry)
    .filter((entry) => entry !== '');
  if (entries.length === 0) return error;
  const quoted = entries.slice(0, MAX_QUOTED_LOGS).join('; ') + (entries.length > MAX_QUOTED_LOGS ? `; and ${entries.length - MAX_QUOTED_LOGS} more` : '');
  return error === '' ? quoted : `${error} ${quoted}`;
}

function logEntry(log: RawElement): string {
  const text = (name: string) => log.children.find((child) => child.name.toLowerCase() === name)?.text.trim() ?? '';
  const [item, error] = [text('item'), text('error')];
  if (item === '' && error === '') return log.text.trim();
  return item === '' ? error : `${item}: ${error}`;
}

/** A reply that parsed, or not, but is no reply of this operation; `http`: of its HTTP GET or POST binding, a bare result element. */
export function notAReply(op: OperationDescriptor, reply: HttpReply, version: SoapVersion | 'http', secrets: readonly string[] = []): UnexpectedResponseError {
  if (version === 'http') return unexpected(op, reply, `is not a result element of ${op.name}${plainTextSaid(reply, secrets)}`);
  const hint = version === '1.2' && reply.status >= 400 ? ' (the server may not support SOAP 1.2)' : '';
  return unexpected(op, reply, `is not a SOAP reply of ${op.name}${hint}`);
}

/**
 * Why a reply is refused before any parser sees it: an HTTP authentication refusal is never a
 * reply of the service; a reply that declares a DTD must not be parsed, so that no entity is ever
 * fetched or expanded; and one of more elements than any result holds would cost a parser more
 * memory than a reply may.
 */
export function refusedUnparsed(op: OperationDescriptor, reply: HttpReply): SrvError | undefined {
  if (reply.status === 401 || reply.status === 403) return httpAuthentication(op, reply);
  // A SOAP message must not declare a DTD (SOAP 1.1 §3, 1.2 part 1 §5).
  if (prologueOf(reply.body)?.next === 'doctype') return unexpected(op, reply, 'declares a DTD, which a SOAP message must not; it was refused unparsed');
  if (tagCount(reply.body) > 2 * MAX_RESULT_ELEMENTS) {
    const message = `${op.name}: the HTTP ${reply.status} reply holds more than the ${MAX_RESULT_ELEMENTS} elements a result can have; it was refused unparsed`;
    return new ReplyTooLargeError(message, { operation: op.name, mayHaveReachedServer: true, httpStatus: reply.status });
  }
  return undefined;
}

/** The '<' of the body: every tag has one, and a chunk's base64 has none. */
function tagCount(body: Buffer): number {
  let count = 0;
  for (let at = body.indexOf(0x3c); at !== -1; at = body.indexOf(0x3c, at + 1)) count += 1;
  return count;
}

/** How much of a plain-text reply's first line an error quotes. */
const MAX_QUOTED_CHARS = 200;
/** IIS's request filtering answers an oversized request with 404.13, not 413. */
const IIS_TOO_LARGE = /404\.13|CONTENT_LENGTH_TOO_LARGE|content length too large/i;

/** How servers word a refusal for size: ASP.NET's maxRequestLength, httpRuntime limits, gateways. */
const TOO_LARGE_WORDING = /maximum request length exceeded|request (entity|body) (is )?too large|upload size exceeds|exceeds (the )?(maximum )?(allowed )?(request|upload|content) (size|length)|content length too large/i;

/** The text says the server refused the request for its size. */
export function saysTooLarge(text: string): boolean {
  return TOO_LARGE_WORDING.test(text);
}

/** A reply that is not the operation's, classified by what the user has to check. */
export function unexpected(op: OperationDescriptor, reply: HttpReply, problem: string): UnexpectedResponseError {
  const type = reply.headers['content-type'] ?? 'no content type';
  const what = `${op.name}: the HTTP ${reply.status} reply (${type}, ${reply.body.length} bytes)`;
  const notActedOn = { operation: op.name, mayHaveReachedServer: false, httpStatus: reply.status };
  // Classic ASP.NET answers a form past maxRequestLength (the HTTP bindings) with a text/plain 500 that says so.
  if (reply.status === 413 || (reply.status === 404 && IIS_TOO_LARGE.test(bodyStart(reply))) || (reply.status === 500 && saysTooLarge(bodyStart(reply)))) {
    return new RequestTooLargeError(`${what} refuses the request as too large`, notActedOn);
  }
  if (reply.status === 404) return new EndpointError(`${what}: there is no service at this URL; check the URL (it ends in /srv.asmx)`, notActedOn);
  if (reply.status < 500 && isWebPage(reply)) {
    return new EndpointError(`${what} is a web page, not a SOAP reply; check the URL (it ends in /srv.asmx)`, notActedOn);
  }
  return new UnexpectedResponseError(`${what} ${problem}`, { operation: op.name, mayHaveReachedServer: true, httpStatus: reply.status });
}

function httpAuthentication(op: OperationDescriptor, reply: HttpReply): HttpAuthenticationError {
  const schemes = schemesOf(reply.headers);
  const asked = schemes.length > 0 ? `asks for HTTP authentication (${schemes.join(', ')})` : 'refuses access without saying which HTTP authentication it wants';
  const message = `${op.name}: HTTP ${reply.status}: the web server in front of the service ${asked}; give it the credentials it expects (the auth option)`;
  return new HttpAuthenticationError(message, schemes, { operation: op.name, mayHaveReachedServer: false, httpStatus: reply.status });
}

/** What a plain-text reply says in its first line (a .NET exception's type and message), redacted. */
function plainTextSaid(reply: HttpReply, secrets: readonly string[]): string {
  if (!/^text\/plain\b/i.test(reply.headers['content-type'] ?? '')) return '';
  const line = bodyStart(reply).trim().split(/\r?\n/, 1)[0] ?? '';
  return line === '' ? '' : `: "${redact(line.slice(0, MAX_QUOTED_CHARS), secrets)}${line.length > MAX_QUOTED_CHARS ? '…' : ''}"`;
}

function bodyStart(reply: HttpReply): string {
  return reply.body.subarray(0, 4096).toString('latin1');
}

function isWebPage(reply: HttpReply): boolean {
  const type = String(reply.headers['content-type'] ?? '');
  return /text\/html|application\/xhtml/i.test(type) || /^\s*(<!doctype html|<html)/i.test(bodyStart(reply));
}
