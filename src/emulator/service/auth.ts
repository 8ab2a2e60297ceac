import type { Session } from '../auth/tickets.js';
import { canonicalGuid } from '../guid.js';
import { textParam } from '../params.js';
import { ok, Refusal } from '../result.js';
import type { Attribute, Reply } from '../result.js';
import { isoUtc } from '../time.js';
import type { OperationCall, OperationHandler, ServiceContext } from './context.js';
import {
  AUTH_FAILED,
  INVALID_TICKET_FORMAT,
  RENEWAL_NOT_ALLOWED,
  SESSION_EXPIRED,
  TICKETS_NOT_ALLOWED,
  UNAUTHENTICATED_USER,
} from './messages.js';
import { ticketOrCookie } from './session.js';

function profile(session: Session): Attribute[] {
  const { account } = session;
  return [
    ['userid', String(account.id)],
    ['username', account.name],
    ['firstName', account.name],
    ['lastName', ''],
    ['fullname', account.name],
    ['email', `${account.name}@emulator.invalid`],
    ['expireOn', isoUtc(session.expiresAt)],
    ['isAuthenticated', 'True'],
  ];
}

const ticketReply = (session: Session): Reply => ok(['ticket', session.ticket], ...profile(session));

function verifiedAccount(context: ServiceContext, call: OperationCall, notAllowed: string) {
  const account = context.accounts.verify(textParam(call.params, 'UID'), textParam(call.params, 'PWD'));
  if (account === undefined) throw new Refusal(AUTH_FAILED);
  if (!context.accounts.mayObtainTickets(account)) throw new Refusal(notAllowed);
  return account;
}

/** AuthenticateUser and AuthenticateUser1 (whose Lang only affects messages the emulator does not localize). */
export const authenticateUser: OperationHandler = async (context, call) =>
  ticketReply(context.tickets.issue(verifiedAccount(context, call, TICKETS_NOT_ALLOWED)));

export const renewTicket: OperationHandler = async (context, call) => {
  const oldTicket = ticketOrCookie(call, 'OldTicket');
  if (oldTicket !== '' && canonicalGuid(oldTicket) === undefined) throw new Refusal(INVALID_TICKET_FORMAT);
  const account = verifiedAccount(context, call, RENEWAL_NOT_ALLOWED);
  const live = oldTicket === '' ? undefined : context.tickets.peek(oldTicket);
  if (live === undefined || live.account.id !== account.id) return ticketReply(context.tickets.issue(account));
  context.tickets.extend(live);
  return ticketReply(live);
};

/**
 * The account is checked before the secret, as the page describes: the sysadmin account is refused with [902]
 * whatever the secret (C52). The reply has the ticket only: no profile, no expireOn.
 */
export const createTicketforUser: OperationHandler = async (context, call) => {
  const account = context.accounts.byName(textParam(call.params, 'UserName'));
  if (account !== undefined && !context.accounts.mayObtainTickets(account)) throw new Refusal(RENEWAL_NOT_ALLOWED);
  const secret = context.config.trustedUserPassword;
  if (account === undefined || secret === undefined || textParam(call.params, 'TrustedUserPwd') !== secret) throw new Refusal(AUTH_FAILED);
  return ok(['ticket', context.tickets.issue(account).ticket]);
};

/**
 * The emulator is a host without Windows authentication, so no request comes with a Windows identity and every
 * call fails as the page says it does then, after oldTicket's format is checked.
 */
export const authenticateUserViaWindows: OperationHandler = async (_context, call) => {
  const oldTicket = textParam(call.params, 'oldTicket');
  if (oldTicket !== '' && canonicalGuid(oldTicket) === undefined) throw new Refusal(INVALID_TICKET_FORMAT);
  throw new Refusal(UNAUTHENTICATED_USER);
};

/** Read-only: never extends the ticket. */
export const isValidTicket: OperationHandler = async (context, call) => {
  const session = context.tickets.peek(ticketOrCookie(call, 'AuthenticationTicket'));
  if (session === undefined) throw new Refusal(SESSION_EXPIRED);
  return ok(...profile(session));
};

export const logOut: OperationHandler = async (context, call) => {
  const session = context.tickets.peek(ticketOrCookie(call, 'AuthenticationTicket'));
  if (session === undefined) throw new Refusal(SESSION_EXPIRED);
  context.tickets.revoke(session.ticket);
  return ok();
};
