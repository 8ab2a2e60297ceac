// The connection options every command shares, from flags or the environment, and the session
// they open. The password comes from SRV_ASMX_PASSWORD or a prompt that does not echo; --password
// works too, with a warning, since other users can read it in the process list. The same holds
// for the web server's own credentials (--http-auth): SRV_ASMX_HTTP_PASSWORD, a prompt, or
// --http-password with a warning.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  AbortError,
  checkClientOptions,
  CLIENT_OPTIONS,
  HTTP_AUTH_OPTIONS,
  RETRY_OPTIONS,
  SESSION_OPTIONS,
  SrvSession,
  type HttpAuthOptions,
  type HttpAuthType,
  type SessionOptions,
  type SessionWarning,
  type TlsOptions,
} from '../index.js';
import { choiceOf, perSecond, wholeNumber } from './arguments.js';
import { UsageError } from './exit-codes.js';
import { helpOf } from './option-help.js';
import { stderr } from './output.js';
import type { Reporter } from './reporter.js';

export interface ConnectionFlags {
  url?: string;
  user?: string;
  password?: string;
  ticket?: string;
  soap?: '1.1' | '1.2';
  binding?: SessionOptions['binding'];
  ticketInUrl?: boolean;
  timeout?: number;
  idleTimeout?: number;
  retries?: number;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  httpAuth?: HttpAuthType;
  httpUser?: string;
  httpPassword?: string;
  httpDomain?: string;
  allowHttpBasic?: boolean;
  maxCallsPerSecond?: number;
  /** `Name: value`, in the order given. */
  header?: string[];
}

/** The tables' defaults of --timeout and --idle-timeout, in the command line's seconds. */
const TIMEOUT_HELP = { env: 'SRV_ASMX_TIMEOUT', default: String(CLIENT_OPTIONS.timeoutMs.default / 1000) };
const IDLE_TIMEOUT_HELP = { env: 'SRV_ASMX_IDLE_TIMEOUT', default: String(CLIENT_OPTIONS.idleTimeoutMs.default / 1000) };
const soapVersion = choiceOf(CLIENT_OPTIONS.soapVersion);
const httpAuthType = choiceOf(HTTP_AUTH_OPTIONS.type);
const bindingName = choiceOf(CLIENT_OPTIONS.binding);

/** The connection and output options of the commands that talk to a server. */
export function addConnectionOptions(command: Command): Command {
  return addOutputOptions(command)
    .option('--url <url>', 'the .../srv.asmx endpoint (env SRV_ASMX_URL)')
    .option('--user <name>', 'user name (env SRV_ASMX_USER)')
    .option('--password <password>', 'password; prefer env SRV_ASMX_PASSWORD or the prompt, this shows in the process list')
    .option('--ticket <ticket>', 'reuse a ticket instead of logging in (env SRV_ASMX_TICKET)')
    .addOption(soapOption())
    .addOption(new Option('--binding <binding>', helpOf('the WSDL binding', CLIENT_OPTIONS.binding, { env: 'SRV_ASMX_BINDING' })).choices(CLIENT_OPTIONS.binding.choices))
    .option('--ticket-in-url', CLIENT_OPTIONS.ticketInUrl.summary)
    .option('--timeout <seconds>', helpOf('time limit of each call, retries included', CLIENT_OPTIONS.timeoutMs, TIMEOUT_HELP), positiveNumber)
    .option('--idle-timeout <seconds>', helpOf('longest silence within a call (connecting, sending, awaiting the reply)', CLIENT_OPTIONS.idleTimeoutMs, IDLE_TIMEOUT_HELP), positiveNumber)
    .option('--retries <n>', helpOf('retries of a failed call that may be repeated; 0 fails at once', RETRY_OPTIONS.retries, { env: 'SRV_ASMX_RETRIES' }), wholeNumber)
    .option('--max-calls-per-second <n>', helpOf('calls a second at most, evenly spaced, for a fragile server', SESSION_OPTIONS.maxCallsPerSecond, { default: 'none' }), perSecond)
    .option('--insecure', 'accept any TLS certificate (only for tests against a server you trust)')
    .option('--ca <file>', "trust this CA certificate (PEM) in addition to Node's and NODE_EXTRA_CA_CERTS (env SRV_ASMX_CA)")
    .option('--cert <file>', 'a client certificate (PEM), with --key (env SRV_ASMX_CERT)')
    .option('--key <file>', 'the private key of --cert (PEM) (env SRV_ASMX_KEY)')
    .addOption(new Option('--http-auth <scheme>', 'authenticate to the web server in front of the service (env SRV_ASMX_HTTP_AUTH)').choices(HTTP_AUTH_OPTIONS.type.choices))
    .option('--http-user <name>', 'user name for --http-auth, or DOMAIN\\user (env SRV_ASMX_HTTP_USER)')
    .option('--http-password <password>', 'password for --http-auth; prefer env SRV_ASMX_HTTP_PASSWORD or the prompt, this shows in the process list')
    .option('--http-domain <domain>', helpOf('Windows domain for ntlm and negotiate', HTTP_AUTH_OPTIONS.domain, { env: 'SRV_ASMX_HTTP_DOMAIN' }))
    .option('--allow-http-basic', 'let --http-auth basic send its password over plain http:, where anyone on the way can read it')
    .option('--header <header>', "send 'Name: value' with every request; repeatable (env SRV_ASMX_HEADERS, one per line)", collectHeader, []);
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON result on stdout and nothing else there')
    .option('--verbose', 'log each SOAP exchange on stderr, with passwords, tickets and base64 bodies redacted')
    .option('--quiet', 'print no progress, no notices (retries, cancelling); warnings, errors and the result still')
    .option('--no-progress', 'print no progress bar or progress lines');
}

export function soapOption(): Option {
  const spec = CLIENT_OPTIONS.soapVersion;
  return new Option('--soap <version>', helpOf(`SOAP version, ${spec.choices.join(' or ')}`, spec, { env: 'SRV_ASMX_SOAP' })).argParser(soapVersion);
}

export interface Environment {
  [name: string]: string | undefined;
}

export async function openSession(flags: ConnectionFlags, reporter: Reporter, signal: AbortSignal, env: Environment = process.env): Promise<SrvSession> {
  const timeout = flags.timeout ?? fromEnvironment(env, 'SRV_ASMX_TIMEOUT', positiveNumber);
  const idleTimeout = flags.idleTimeout ?? fromEnvironment(env, 'SRV_ASMX_IDLE_TIMEOUT', positiveNumber);
  const retries = flags.retries ?? fromEnvironment(env, 'SRV_ASMX_RETRIES', wholeNumber);
  const connection = {
    url: required(flags.url ?? setting(env, 'SRV_ASMX_URL'), '--url <url> (or SRV_ASMX_URL)'),
    ...bindingOf(flags, env),
    ...(timeout !== undefined && { timeoutMs: timeout * 1000 }),
    ...(idleTimeout !== undefined && { idleTimeoutMs: idleTimeout * 1000 }),
    ...headersOf(flags, reporter, env),
  };
  const httpAuth = httpAuthOf(flags, env);
  // The library's rules (the URL, headers, Basic over http:) before anyone is asked for a password.
  checkClientOptions({ ...connection, ...(httpAuth !== undefined && { auth: httpAuth }) });
  const auth = httpAuth && { ...httpAuth, password: await secretOf(HTTP_PASSWORD, flags.httpPassword, reporter, env) };
  const options: SessionOptions = {
    ...connection,
    ...(await tlsOptions(flags, reporter, env)),
    ...(auth !== undefined && { auth }),
    ...(retries !== undefined && { retry: { retries } }),
    ...(flags.maxCallsPerSecond !== undefined && { maxCallsPerSecond: flags.maxCallsPerSecond }),
    onExchange: reporter.exchange,
    onWarning: (warning) => reportWarning(reporter, warning),
  };
  if (flags.ticket !== undefined) reporter.warn('--ticket shows in the process list; prefer SRV_ASMX_TICKET');
  const ticket = flags.ticket ?? setting(env, 'SRV_ASMX_TICKET');
  if (ticket !== undefined) return SrvSession.fromTicket({ ...options, ticket });
  const user = required(flags.user ?? setting(env, 'SRV_ASMX_USER'), '--user <name> (or SRV_ASMX_USER), or a ticket with --ticket');
  const password = await secretOf(PASSWORD, flags.password, reporter, env);
  return SrvSession.login({ ...options, user, password, signal });
}

interface SecretSource {
  option: string;
  variable: string;
  question: string;
  /** Says which secret is missing, when there is no terminal to ask on. */
  missing: string;
}

const PASSWORD: SecretSource = { option: '--password', variable: 'SRV_ASMX_PASSWORD', question: 'Password: ', missing: 'no password' };
const HTTP_PASSWORD: SecretSource = { option: '--http-password', variable: 'SRV_ASMX_HTTP_PASSWORD', question: 'HTTP password: ', missing: 'no HTTP password for --http-auth' };

/** A password from its flag (with a warning, since the process list shows it), its variable, or a prompt that does not echo. */
async function secretOf(source: SecretSource, flag: string | undefined, reporter: Reporter, env: Environment): Promise<string> {
  if (flag !== undefined) {
    reporter.warn(`${source.option} shows in the process list; prefer ${source.variable} or the prompt`);
    return flag;
  }
  const fromEnv = setting(env, source.variable);
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError(`${source.missing}: set ${source.variable} (or run in a terminal to be asked for it)`);
  return prompt(source.question);
}

/**
 * Asks on the terminal without echo. The line ends once the answer is given, so the next output
 * starts on a line of its own; Ctrl-C at the prompt cancels like Ctrl-C anywhere (exit 130).
 */
async function prompt(question: string): Promise<string> {
  const { read } = await import('read');
  try {
    return await read({ prompt: question, silent: true, replace: '', output: stderr.stream });
  } catch (error) {
    throw (error as Error).message === 'canceled' ? new AbortError(error, 'the password prompt') : error;
  } finally {
    stderr.write('\n');
  }
}

/** The web server's credentials but the password: --http-auth and --http-user (or their variables). */
function httpAuthOf(flags: ConnectionFlags, env: Environment): Omit<HttpAuthOptions, 'password'> | undefined {
  const type = flags.httpAuth ?? fromEnvironment(env, 'SRV_ASMX_HTTP_AUTH', httpAuthType);
  if (type === undefined) {
    if (flags.httpUser !== undefined || flags.httpPassword !== undefined || flags.httpDomain !== undefined || flags.allowHttpBasic) {
      throw new UsageError('--http-user, --http-password, --http-domain and --allow-http-basic go with --http-auth basic|ntlm|negotiate');
    }
    return undefined;
  }
  const user = required(flags.httpUser ?? setting(env, 'SRV_ASMX_HTTP_USER'), '--http-user <name> (or SRV_ASMX_HTTP_USER) for --http-auth');
  const domain = flags.httpDomain ?? setting(env, 'SRV_ASMX_HTTP_DOMAIN');
  return { type, user, ...(domain !== undefined && { domain }), ...(flags.allowHttpBasic && { allowHttp: true }) };
}

/** Header names whose values are credentials, which the process list should not show. */
const SECRET_HEADER = /auth|token|key|secret|password|cookie|session|ticket|credential/i;

/** SRV_ASMX_HEADERS (one `Name: value` a line), then each --header; a later one replaces an earlier one of the same name. */
function headersOf(flags: ConnectionFlags, reporter: Reporter, env: Environment): { headers?: Record<string, string> } {
  const lines = (setting(env, 'SRV_ASMX_HEADERS') ?? '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const fromEnv = lines.map((line) => {
    try {
      return parseHeader(line);
    } catch (error) {
      throw new UsageError(`SRV_ASMX_HEADERS: ${(error as Error).message}`);
    }
  });
  const fromFlags = (flags.header ?? []).map(parseHeader);
  for (const [name] of fromFlags) if (SECRET_HEADER.test(name)) reporter.warn(`--header ${name} shows in the process list; prefer SRV_ASMX_HEADERS`);
  const headers: Record<string, string> = {};
  for (const [name, value] of [...fromEnv, ...fromFlags]) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    headers[name] = value;
  }
  return Object.keys(headers).length > 0 ? { headers } : {};
}

/** `Name: value` → [name, value]; the library checks the name's characters and which headers may be set. */
function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon === -1 ? '' : text.slice(0, colon).trim();
  if (name === '') throw new InvalidArgumentError(`expected 'Name: value', got ${JSON.stringify(text)}.`);
  return [name, text.slice(colon + 1).trim()];
}

function collectHeader(value: string, previous: string[]): string[] {
  parseHeader(value);
  return [...previous, value];
}

async function tlsOptions(flags: ConnectionFlags, reporter: Reporter, env: Environment): Promise<{ tls?: TlsOptions }> {
  const tls: TlsOptions = {};
  const ca = flags.ca ?? setting(env, 'SRV_ASMX_CA');
  const cert = flags.cert ?? setting(env, 'SRV_ASMX_CERT');
  const key = flags.key ?? setting(env, 'SRV_ASMX_KEY');
  // The library adds it to Node's trust store and NODE_EXTRA_CA_CERTS.
  if (ca !== undefined) tls.ca = await pemFile('--ca', ca);
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if (cert !== undefined && key !== undefined) {
    tls.cert = await pemFile('--cert', cert);
    tls.key = await pemFile('--key', key);
  }
  if (flags.insecure) {
    reporter.warn('--insecure: TLS certificates are not checked');
    tls.rejectUnauthorized = false;
  }
  return Object.keys(tls).length > 0 ? { tls } : {};
}

/** A setting from the environment, parsed as its option is; a bad one is a usage error that names the variable. */
function fromEnvironment<T>(env: Environment, name: string, parse: (value: string) => T): T | undefined {
  const value = setting(env, name);
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (error) {
    throw new UsageError(`${name}=${value}: ${(error as Error).message}`);
  }
}

/** An environment variable, where empty means unset. */
function setting(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === '' ? undefined : value;
}

async function pemFile(option: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new UsageError(`${option} ${file}: ${(error as Error).message}`);
  }
}

function required(value: string | undefined, form: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${form}`);
  return value;
}

/** --binding (or SRV_ASMX_BINDING) wins; a --soap that contradicts it is the client's error to report. --ticket-in-url goes with it. */
function bindingOf(flags: ConnectionFlags, env: Environment): Pick<SessionOptions, 'binding' | 'soapVersion' | 'ticketInUrl'> {
  const binding = flags.binding ?? fromEnvironment(env, 'SRV_ASMX_BINDING', bindingName);
  const soap = flags.soap ?? (binding === undefined ? fromEnvironment(env, 'SRV_ASMX_SOAP', soapVersion) : undefined);
  return { ...(binding !== undefined && { binding }), ...(soap !== undefined && { soapVersion: soap }), ...(flags.ticketInUrl === true && { ticketInUrl: true }) };
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a positive number of seconds.');
  return number;
}

/** Retries are shown as they happen; everything else that did not fail the work only with --verbose. */
function reportWarning(reporter: Reporter, warning: SessionWarning): void {
  const cause = warning.error instanceof Error ? `: ${warning.error.message}` : '';
  if (warning.retry) reporter.notice(`retrying (${warning.retry.number}/${warning.retry.of})${cause || `: ${warning.message}`}`);
  else if (warning.severity === 'warning') reporter.warn(warning.message);
  else reporter.debug(`${warning.message}${cause}`);
}
