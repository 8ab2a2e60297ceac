// A per-call record of the wire exchange, for debugging. Secrets (passwords, tickets) and base64
// payloads are removed before anyone sees it.
import type { IncomingHttpHeaders } from 'node:http';
import { escapeXml } from './xml-escape.js';

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
const BASE64_RUN = /[A-Za-z0-9+/]{76,}={0,2}/g;

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
    .replace(BASE64_RUN, (run) => `[${run.length} base64 characters]`);
  for (const secret of secrets) {
    for (const form of new Set([secret, escapeXml(secret), encodeURIComponent(secret)])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return result;
}
