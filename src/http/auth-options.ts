// The options of HTTP authentication to the web server in front of the service (auth.ts), and
// their table.
import type { OptionTable } from '../util/options.js';

export const HTTP_AUTH_TYPES = ['basic', 'ntlm', 'negotiate'] as const;
export type HttpAuthType = (typeof HTTP_AUTH_TYPES)[number];

/** Credentials for the web server in front of the service (IIS, a gateway): not the service's own login. */
export interface HttpAuthOptions {
  /**
   * `'basic'`: an `Authorization: Basic` header on every request, sent before the server asks.
   * `'ntlm'`: Windows authentication (NTLMv2), once per connection. `'negotiate'`: the same NTLM
   * exchange under the `Negotiate` scheme, as IIS accepts it without Kerberos (Kerberos is not supported).
   */
  type: HttpAuthType;
  /** The user name; `DOMAIN\user` sets the domain too (NTLM, Negotiate). */
  user: string;
  password: string;
  /**
   * The Windows domain of the user (NTLM, Negotiate; with Basic it is sent as `DOMAIN\user`).
   * @default the one in DOMAIN\user, else the one the server names in its NTLM challenge
   */
  domain?: string;
  /**
   * The workstation name an NTLM AUTHENTICATE message carries; without one nothing about this machine is sent.
   * @default none
   */
  workstation?: string;
  /**
   * Basic sends the password readable by anyone on the way, so over plain `http:` it is refused
   * unless this is true. NTLM never sends the password itself.
   * @default false
   */
  allowHttp?: boolean;
}

export const HTTP_AUTH_OPTIONS = {
  type: { required: true, choices: HTTP_AUTH_TYPES, summary: 'the scheme: Basic on every request, NTLM or Negotiate (NTLM) once per connection', cli: '--http-auth' },
  user: { required: true, summary: 'the account; `DOMAIN\\user` also sets the domain', cli: '--http-user' },
  password: { required: true, summary: "the account's password", cli: '--http-password' },
  domain: {
    defaultText: 'the one in DOMAIN\\user, else the one the server names in its NTLM challenge',
    summary: 'the Windows domain (NTLM, Negotiate); with Basic it is sent as `DOMAIN\\user`',
    cli: '--http-domain',
  },
  workstation: { summary: 'the workstation name in the NTLM message; by default nothing about this machine is sent' },
  allowHttp: { default: false, summary: 'lets Basic send its password over plain `http:`', cli: '--allow-http-basic' },
} as const satisfies OptionTable<HttpAuthOptions>;
