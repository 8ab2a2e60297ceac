import type { Session } from '../auth/tickets.js';
import { textParam } from '../params.js';
import { Refusal } from '../result.js';
import type { OperationCall, ServiceContext } from './context.js';
import { AUTH_FAILED, SESSION_EXPIRED } from './messages.js';

/**
 * The caller's session for an ordinary ticket operation: a missing ticket is [900], a dead one [901].
 * Using a session slides its expiry.
 */
export function requireSession(context: ServiceContext, call: OperationCall, ticketParam: string): Session {
  const ticket = textParam(call.params, ticketParam);
  if (ticket === '') throw new Refusal(AUTH_FAILED);
  const session = context.tickets.use(ticket);
  if (session === undefined) throw new Refusal(SESSION_EXPIRED);
  return session;
}

/** The ticket of isValidTicket, LogOut and RenewTicket: the parameter, or else the `ticket` cookie. */
export function ticketOrCookie(call: OperationCall, ticketParam: string): string {
  const ticket = textParam(call.params, ticketParam);
  return ticket !== '' ? ticket : (call.cookieTicket ?? '');
}
