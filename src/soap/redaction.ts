// Removes secrets (passwords, tickets, credentials, cookies) and base64 payloads from what anyone
// may see of an exchange: its record, and the errors quoting a reply.
import type { IncomingHttpHeaders } from 'node:http';
import { base64Length, type RequestEnvelope } from './envelope.js';

/** Parameters whose values are secrets, whatever the operation. */
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set(['PWD', 'TrustedUserPwd', 'authenticationTicket', 'AuthenticationTicket', 'OldTicket', 'oldTicket']);

const REDACTED = '[redacted]';
const SECRET_ELEMENT = new RegExp(`(<(?:[\\w.-]+:)?(?:${[...SECRET_PARAMETERS].join('|')})(?:\\s[^>]*)?>)[^<]*`, 'g');
const TICKET_ATTRIBUTE = /(\s(?:[\w.-]+:)?ticket\s*=\s*)(["'])[^"']*\2/gi;
/** A ticket as an element of its own, as some serializers write an attribute. */
const TICKET_ELEMENT = /(<(?:[\w.-]+:)?ticket(?:\s[^>]*)?>)[^<]*/gi;
/** A ticket in a URL's query, e.g. a Location header's `?ticket=…`. */
const TICKET_QUERY = /([?&;]ticket=)[^&#\s;"'<>]*/gi;
const SECRET_NAMES = [...SECRET_PARAMETERS].join('|');
/** A secret parameter in a query string or urlencoded form (the HTTP GET and POST bindings). */
const SECRET_FIELD = new RegExp(`((?:^|[?&;])(?:${SECRET_NAMES})=)[^&#\\s;"'<>]*`, 'gi');
/** A secret parameter's multipart/form-data field: its value is the line after the part's headers. */
const SECRET_PART = new RegExp(`(name="(?:${SECRET_NAMES})"\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n)[^\\r\\n]*`, 'gi');
/** Shorter runs of base64 characters may be words, hex or GUID parts, and stay. */
const MIN_BASE64_RUN = 76;
const BASE64_RUN = new RegExp(`[A-Za-z0-9+/]{${MIN_BASE64_RUN},}={0,2}`, 'g');

/**
 * Headers whose whole value is a secret: cookies (the service reads a `ticket` cookie), credentials
 * (Authorization, WWW-Authenticate, a gateway's X-Api-Key), debug echoes of a ticket.
 */
const SECRET_HEADER_NAME = /cookie|ticket|auth|token|password|secret|session|key|credential/i;

/** Headers with secret ones replaced, and every secret removed from the others. */
export function redactHeaders<H extends IncomingHttpHeaders | Readonly<Record<string, string>>>(headers: H, secrets: readonly string[]): H {
  const redactValue = (value: string) => redact(value, secrets);
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (value === undefined) return [name, value];
      if (SECRET_HEADER_NAME.test(name)) return [name, REDACTED];
      return [name, Array.isArray(value) ? value.map(redactValue) : redactValue(String(value))];
    }),
  ) as H;
}

/** The secret values a request carries. */
export function secretsOf(args: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(args)
    .filter(([name, value]) => SECRET_PARAMETERS.has(name) && typeof value === 'string' && value !== '')
    .map(([, value]) => value as string);
}

/**
 * Removes secret elements, ticket attributes, secret query, form and multipart fields, base64 runs,
 * and every secret value however it is spelt.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text
    .replace(SECRET_ELEMENT, `$1${REDACTED}`)
    .replace(TICKET_ATTRIBUTE, `$1$2${REDACTED}$2`)
    .replace(TICKET_ELEMENT, `$1${REDACTED}`)
    .replace(TICKET_QUERY, `$1${REDACTED}`)
    .replace(SECRET_FIELD, `$1${REDACTED}`)
    .replace(SECRET_PART, `$1${REDACTED}`)
    .replace(BASE64_RUN, (run) => elided(run.length));
  for (const secret of secrets) result = result.replace(secretPattern(secret), REDACTED);
  return result;
}

const GUID = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;
const patterns = new Map<string, RegExp>();

/**
 * Matches a secret however a server may echo it: in any letter case, each character raw, as a
 * numeric character reference (decimal or hex, any case, leading zeros), as a predefined entity, or
 * percent-encoded; a GUID (a ticket) also without its dashes and braces.
 */
function secretPattern(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (!pattern) {
    const guid = GUID.test(secret);
    const characters = [...(guid ? secret.replace(/[{}-]/g, '') : secret)];
    const dash = `(?:${characterForms('-')})?`;
    const body = characters.map((c, i) => (guid && [8, 12, 16, 20].includes(i) ? dash : '') + `(?:${characterForms(c)})`).join('');
    pattern = new RegExp(guid ? `\\{?${body}\\}?` : body, 'giu');
    if (patterns.size > 256) patterns.clear();
    patterns.set(secret, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

const ENTITIES: Readonly<Record<string, string>> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };

function characterForms(c: string): string {
  const code = c.codePointAt(0) as number;
  const percent = code < 0x80 ? `%${code.toString(16).padStart(2, '0')}` : encodeURIComponent(c);
  const forms = [escapeRegExp(c), `&#0*${code};`, `&#x0*${code.toString(16)};`, percent];
  const entity = ENTITIES[c];
  if (entity) forms.push(`&${entity};`);
  if (c === ' ') forms.push('\\+');
  return forms.join('|');
}

/** Escapes the characters that are syntax in a regular expression (with the u flag, no others may be escaped). */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * redact() of a request envelope. A payload sits between two tags, so its base64 is one run of its
 * own: when redact() would elide it anyway, it is never turned into text.
 */
export function redactEnvelope(envelope: RequestEnvelope, secrets: readonly string[]): string {
  return redact(`${envelope.head.toString('utf8')}${payloadText(envelope.payload)}${envelope.tail.toString('utf8')}`, secrets);
}

/** A payload's base64 as redact() leaves it: elided, without ever being made, when it is long enough. */
export function payloadText(payload: Uint8Array | undefined): string {
  if (payload === undefined) return '';
  const bytes = payload.byteLength;
  // The run redact() measures leaves out the padding; what it elides includes it.
  const unpadded = Math.ceil((bytes * 4) / 3);
  return unpadded >= MIN_BASE64_RUN ? elided(base64Length(bytes)) : Buffer.from(payload).toString('base64');
}

function elided(length: number): string {
  return `[${length} base64 characters]`;
}

/** Attribute values that say nothing secret: whether the call succeeded, and namespace declarations. */
const PLAIN_ATTRIBUTE = /^(success|xmlns(:.*)?)$/i;

/**
 * Every attribute value (but `success` and namespace declarations) and every text of a reply
 * replaced: for the replies that carry a ticket, where a ticket in a form the client cannot read
 * (a prefixed attribute, an element, an encoding) must not be printed either.
 */
export function redactValues(text: string): string {
  return text
    .replace(/(\s([\w:.-]+)\s*=\s*)(["'])([^"']*)\3/g, (whole: string, lead: string, name: string, quote: string) => (PLAIN_ATTRIBUTE.test(name) ? whole : `${lead}${quote}${REDACTED}${quote}`))
    .replace(/>([^<]*[^<\s][^<]*)</g, `>${REDACTED}<`);
}
