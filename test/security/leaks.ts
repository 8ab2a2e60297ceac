// Looks for secrets in captured text: each secret verbatim (a password's distinctive core survives
// XML escaping, %-encoding and JSON), tickets in either case, and the shapes an unredacted exchange
// would have whatever the values.
import { inspect } from 'node:util';

export interface Secret {
  readonly label: string;
  readonly value: string;
}

const UNREDACTED = [
  /\bticket\s*=\s*["'](?!\[redacted\])[^"']+["']/i,
  /<(?:[\w.-]+:)?(?:PWD|authenticationTicket|OldTicket)(?:\s[^>]*)?>(?!\[redacted\]|<)[^<]/i,
  /[?&](?:PWD|authenticationTicket)=(?!&|$)/i,
];

/** The labels of the secrets (and of the unredacted shapes) found in `text`. */
export function leaksIn(text: string, secrets: readonly Secret[]): string[] {
  const lower = text.toLowerCase();
  const found = secrets.filter(({ value }) => lower.includes(value.toLowerCase())).map(({ label }) => label);
  return [...found, ...UNREDACTED.filter((shape) => shape.test(text)).map((shape) => `unredacted ${shape.source}`)];
}

/** Everything a program could print of a value: its inspection (hidden fields, causes), its JSON, its string. */
export function everything(value: unknown): string {
  const json = (() => {
    try {
      return JSON.stringify(value) ?? '';
    } catch (error) {
      return String(error);
    }
  })();
  const stack = value instanceof Error ? (value.stack ?? '') : '';
  return [inspect(value, { depth: Infinity, showHidden: true, getters: true }), json, String(value), stack].join('\n');
}
