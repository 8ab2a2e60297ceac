// A per-call record of the wire exchange, for debugging. Secrets (passwords, tickets) and base64
// payloads are removed before anyone sees it.
import type { IncomingHttpHeaders } from 'node:http';
import { base64Length, type RequestEnvelope } from './envelope.js';
import { escapeText, escapeXml } from './xml-escape.js';

export interface ExchangeRecord {
  operation: string;
  soapVersion: '1.1' | '1.2';
  url: string;
  durationMs: number;
  request: { headers: Readonly<Record<string, string>>; body: string };
  response?: { status: number; headers: IncomingHttpHeaders; body: string };
  /** The error the call failed with (class and message), if it failed. */
  error?: string;
}

export type ExchangeListener = (record: ExchangeRecord) => void;

/** Parameters whose values are secrets, whatever the operation. */
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set(['PWD', 'authenticationTicket', 'AuthenticationTicket', 'OldTicket']);

const REDACTED = '[redacted]';
const SECRET_ELEMENT = new RegExp(`(<(?:[\\w.-]+:)?(?:${[...SECRET_PARAMETERS].join('|')})(?:\\s[^>]*)?>)[^<]*`, 'g');
const TICKET_ATTRIBUTE = /(\sticket\s*=\s*)(["'])[^"']*\2/gi;
/** Shorter runs of base64 characters may be words, hex or GUID parts, and stay. */
const MIN_BASE64_RUN = 76;
const BASE64_RUN = new RegExp(`[A-Za-z0-9+/]{${MIN_BASE64_RUN},}={0,2}`, 'g');

/** Cookies may carry a ticket (contract §3: the service reads a `ticket` cookie). */
const SECRET_HEADERS: ReadonlySet<string> = new Set(['set-cookie', 'cookie']);

/** The reply's headers with every cookie replaced. */
export function redactHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value]));
}

/** The secret values a request carries. */
export function secretsOf(args: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(args)
    .filter(([name, value]) => SECRET_PARAMETERS.has(name) && typeof value === 'string' && value !== '')
    .map(([, value]) => value as string);
}

/** Removes every secret value (raw or XML-escaped), secret elements, tickets and base64 runs. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text
    .replace(SECRET_ELEMENT, `$1${REDACTED}`)
    .replace(TICKET_ATTRIBUTE, `$1$2${REDACTED}$2`)
    .replace(BASE64_RUN, (run) => elided(run.length));
  for (const secret of secrets) {
    for (const form of new Set([secret, escapeXml(secret), escapeText(secret), encodeURIComponent(secret)])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return result;
}

/**
 * redact() of a request envelope. A payload sits between two tags, so its base64 is one run of its
 * own: when redact() would elide it anyway, it is never turned into text.
 */
export function redactEnvelope(envelope: RequestEnvelope, secrets: readonly string[]): string {
  return redact(`${envelope.head.toString('utf8')}${payloadText(envelope.payload)}${envelope.tail.toString('utf8')}`, secrets);
}

function payloadText(payload: Uint8Array | undefined): string {
  if (payload === undefined) return '';
  const bytes = payload.byteLength;
  // The run redact() measures leaves out the padding; what it elides includes it.
  const unpadded = Math.ceil((bytes * 4) / 3);
  return unpadded >= MIN_BASE64_RUN ? elided(base64Length(bytes)) : Buffer.from(payload).toString('base64');
}

function elided(length: number): string {
  return `[${length} base64 characters]`;
}
