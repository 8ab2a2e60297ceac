// How a session gets a ticket, at first and again when one dies: a user name and password
// (AuthenticateUser/1), a trusted-user secret (CreateTicketforUser) or the Windows identity the
// HTTP layer's NTLM/Negotiate handshake proves (AuthenticateUserViaWindows). Each keeps what it
// needs to log in again; a secret it holds is never printed.
import { InvalidArgumentError } from '../errors.js';
import type { CallOptions, SrvClient } from '../soap/client.js';
import type { LoginOptions, TrustedLoginOptions, WindowsLoginOptions } from './session-options.js';

export interface Authenticator {
  /** The operation that answers with a ticket. */
  readonly operation: 'AuthenticateUser' | 'AuthenticateUser1' | 'CreateTicketforUser' | 'AuthenticateUserViaWindows';
  /** The user the session acts as, where the login names one. */
  readonly user: string | undefined;
  /** What must never be printed: the password or the trusted-user secret. */
  readonly secret: string | undefined;
  /** A new ticket. */
  authenticate(client: SrvClient, options: CallOptions): Promise<string>;
}

export function passwordLogin(options: LoginOptions): Authenticator {
  if (typeof options.user !== 'string' || options.user === '') throw new InvalidArgumentError('user', 'must be a non-empty string');
  if (typeof options.password !== 'string') throw new InvalidArgumentError('password', 'must be a string');
  const { user: UID, password: PWD, language: Lang } = options;
  if (Lang === undefined) {
    return { operation: 'AuthenticateUser', user: UID, secret: PWD, authenticate: async (client, call) => (await client.AuthenticateUser({ UID, PWD }, call)).ticket };
  }
  return { operation: 'AuthenticateUser1', user: UID, secret: PWD, authenticate: async (client, call) => (await client.AuthenticateUser1({ UID, PWD, Lang }, call)).ticket };
}

/** CreateTicketforUser: the secret is treated as a password (C52), sent only in a request body. */
export function trustedLogin(options: TrustedLoginOptions): Authenticator {
  if (typeof options.user !== 'string' || options.user === '') throw new InvalidArgumentError('user', 'must be a non-empty string');
  if (typeof options.trustedPassword !== 'string' || options.trustedPassword === '') throw new InvalidArgumentError('trustedPassword', 'must be a non-empty string');
  const { user: UserName, trustedPassword: TrustedUserPwd } = options;
  return {
    operation: 'CreateTicketforUser',
    user: UserName,
    secret: TrustedUserPwd,
    authenticate: async (client, call) => (await client.CreateTicketforUser({ TrustedUserPwd, UserName }, call)).ticket,
  };
}

/** AuthenticateUserViaWindows over the HTTP layer's NTLM or Negotiate: the SOAP message carries no credentials. */
export function windowsLogin(options: WindowsLoginOptions): Authenticator {
  const type = options.auth?.type;
  if (type !== 'ntlm' && type !== 'negotiate') {
    throw new InvalidArgumentError('auth', "must be { type: 'ntlm' } or { type: 'negotiate' } with the Windows account: a Windows login is the HTTP layer's");
  }
  const { language } = options;
  return {
    operation: 'AuthenticateUserViaWindows',
    user: undefined,
    secret: undefined,
    authenticate: async (client, call) => (await client.AuthenticateUserViaWindows(language === undefined ? {} : { language }, call)).ticket,
  };
}
