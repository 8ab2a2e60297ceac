// A session's warnings (retries, new logins, restarts, notices, failed cleanups) as structured
// records for the caller's logger: a message and fields, at a level fitting the kind, with every
// error reduced to its class and redacted message, so that no password or ticket reaches a log.
import type { SessionWarning } from '../calls/port.js';
import { redact } from '../soap/redaction.js';

/** What a record says, besides its message. */
export interface LogFields {
  readonly kind: SessionWarning['kind'];
  readonly operation?: string;
  /** The number of the attempt that failed, from 1: a call's for a retry, a transfer's for a restart. */
  readonly attempt?: number;
  /** For a retry: which one this is, of how many at most. */
  readonly retry?: { readonly number: number; readonly of: number };
  /** What went wrong: the error's class and its message, redacted. */
  readonly reason?: string;
}

/** A logger: console, winston, or anything with these methods; each one may be left out. */
export interface Logger {
  debug?(message: string, fields: LogFields): void;
  info?(message: string, fields: LogFields): void;
  warn?(message: string, fields: LogFields): void;
  error?(message: string, fields: LogFields): void;
}

/** Routine recoveries are info; what lost work or was left behind is warn. */
function levelOf(warning: SessionWarning): 'info' | 'warn' {
  if (warning.kind === 'restart' || warning.kind === 'cleanup') return 'warn';
  if (warning.kind === 'notice') return warning.severity === 'warning' ? 'warn' : 'info';
  return 'info';
}

/** Gives `warning` to the logger as a record; `secrets`: values no record may carry (passwords, tickets). */
export function logWarning(logger: Logger, warning: SessionWarning, secrets: Iterable<string>): void {
  const hidden = [...secrets];
  const { kind, operation, attempt, retry, error } = warning;
  const fields: LogFields = {
    kind,
    ...(operation !== undefined && { operation }),
    ...(attempt !== undefined && { attempt }),
    ...(retry !== undefined && { retry: { number: retry.number, of: retry.of } }),
    ...(error !== undefined && { reason: redact(reasonOf(error), hidden) }),
  };
  logger[levelOf(warning)]?.(redact(warning.message, hidden), fields);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Where a session's warnings go: to onWarning, and to the logger without the secrets it collects. */
export interface WarningSink {
  /** Values no log record may carry: the password, the web server's, and every ticket the session had. */
  readonly secrets: Set<string>;
  warn(warning: SessionWarning): void;
}

export function warningSink(options: { onWarning?: ((warning: SessionWarning) => void) | undefined; logger?: Logger | undefined; auth?: { password?: string } | undefined }): WarningSink {
  const { onWarning, logger } = options;
  const secrets = new Set<string>();
  if (options.auth?.password) secrets.add(options.auth.password);
  return {
    secrets,
    warn: (warning) => {
      onWarning?.(warning);
      if (logger) logWarning(logger, warning, secrets);
    },
  };
}
