// The connection options every command shares, from flags or the environment, and the session
// they open. The password comes from SRV_ASMX_PASSWORD or a prompt that does not echo; --password
// works too, with a warning, since other users can read it in the process list. The same holds
// for the web server's own credentials (--http-auth): SRV_ASMX_HTTP_PASSWORD, a prompt, or
// --http-password with a warning.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { AbortError, BINDINGS, SrvSession, type HttpAuthOptions, type HttpAuthType, type SessionOptions, type SessionWarning, type TlsOptions } from '../index.js';
import { UsageError } from './exit-codes.js';
import { stderr } from './output.js';
import type { Reporter } from './reporter.js';

export interface ConnectionFlags {
  url?: string;
  user?: string;
  password?: string;
  ticket?: string;
  soap?: '1.1' | '1.2';
  binding?: Binding;
  timeout?: number;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  httpAuth?: HttpAuthType;
  httpUser?: string;
  httpPassword?: string;
  httpDomain?: string;
  allowHttpBasic?: boolean;
  /** `Name: value`, in the order given. */
  header?: string[];
}

/** The connection and output options of the commands that talk to a server. */
export function addConnectionOptions(command: Command): Command {
  return addOutputOptions(command)
    .option('--url <url>', 'the .../srv.asmx endpoint (env SRV_ASMX_URL)')
    .option('--user <name>', 'user name (env SRV_ASMX_USER)')
    .option('--password <password>', 'password; prefer env SRV_ASMX_PASSWORD or the prompt, this shows in the process list')
    .option('--ticket <ticket>', 'reuse a ticket instead of logging in (env SRV_ASMX_TICKET)')
    .addOption(soapOption())
    .addOption(new Option('--binding <binding>', 'the WSDL binding: soap11, soap12, http-post or http-get (env SRV_ASMX_BINDING; default soap11, or the --soap version\'s)').choices(BINDINGS))
    .option('--timeout <seconds>', 'time limit of each call, retries included (env SRV_ASMX_TIMEOUT)', positiveNumber)
    .option('--insecure', 'accept any TLS certificate (only for tests against a server you trust)')
    .option('--ca <file>', "trust this CA certificate (PEM) in addition to Node's and NODE_EXTRA_CA_CERTS (env SRV_ASMX_CA)")
    .option('--cert <file>', 'a client certificate (PEM), with --key (env SRV_ASMX_CERT)')
    .option('--key <file>', 'the private key of --cert (PEM) (env SRV_ASMX_KEY)')
    .addOption(new Option('--http-auth <scheme>', 'authenticate to the web server in front of the service: basic, ntlm or negotiate (env SRV_ASMX_HTTP_AUTH)').argParser(httpAuthType))
    .option('--http-user <name>', 'user name for --http-auth, or DOMAIN\\user (env SRV_ASMX_HTTP_USER)')
    .option('--http-password <password>', 'password for --http-auth; prefer env SRV_ASMX_HTTP_PASSWORD or the prompt, this shows in the process list')
    .option('--http-domain <domain>', "Windows domain for ntlm and negotiate (env SRV_ASMX_HTTP_DOMAIN; default: the one the server names)")
    .option('--allow-http-basic', 'let --http-auth basic send its password over plain http:, where anyone on the way can read it')
    .option('--header <header>', "send 'Name: value' with every request; repeatable (env SRV_ASMX_HEADERS, one per line)", collectHeader, []);
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON result on stdout and nothing else there')
    .option('--verbose', 'log each SOAP exchange on stderr, with passwords, tickets and base64 bodies redacted');
}

export function soapOption(): Option {
  return new Option('--soap <version>', 'SOAP version, 1.1 or 1.2 (env SRV_ASMX_SOAP; default 1.1)').argParser(soapVersion);
}

export interface Environment {
  [name: string]: string | undefined;
}

export async function openSession(flags: ConnectionFlags, reporter: Reporter, signal: AbortSignal, env: Environment = process.env): Promise<SrvSession> {
  const timeout = flags.timeout ?? fromEnvironment(env, 'SRV_ASMX_TIMEOUT', positiveNumber);
  const url = required(flags.url ?? setting(env, 'SRV_ASMX_URL'), '--url <url> (or SRV_ASMX_URL)');
  const headers = headersOf(flags, reporter, env);
  const auth = await httpAuthOf(flags, reporter, env, url);
  const options: SessionOptions = {
    url,
    ...bindingOf(flags, env),
    ...(timeout !== undefined && { timeoutMs: timeout * 1000 }),
    ...(await tlsOptions(flags, reporter, env)),
    ...(auth !== undefined && { auth }),
    ...(headers !== undefined && { headers }),
    onExchange: reporter.exchange,
    onWarning: (warning) => reportWarning(reporter, warning),
  };
  if (flags.ticket !== undefined) reporter.warn('--ticket shows in the process list; prefer SRV_ASMX_TICKET');
  const ticket = flags.ticket ?? setting(env, 'SRV_ASMX_TICKET');
  if (ticket !== undefined) return SrvSession.fromTicket({ ...options, ticket });
  const user = required(flags.user ?? setting(env, 'SRV_ASMX_USER'), '--user <name> (or SRV_ASMX_USER), or a ticket with --ticket');
  const password = await secretOf({ flag: flags.password, option: '--password', variable: 'SRV_ASMX_PASSWORD', question: 'Password: ', missing: 'no password' }, reporter, env);
  return SrvSession.login({ ...options, user, password, signal });
}

interface SecretSource {
  /** The value of the flag, which the process list shows. */
  flag: string | undefined;
  option: string;
  variable: string;
  question: string;
  /** Says which secret is missing, when there is no terminal to ask on. */
  missing: string;
}

/** A password from its flag (with a warning), its variable, or a prompt that does not echo. */
async function secretOf(source: SecretSource, reporter: Reporter, env: Environment): Promise<string> {
  if (source.flag !== undefined) {
    reporter.warn(`${source.option} shows in the process list; prefer ${source.variable} or the prompt`);
    return source.flag;
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

/** The web server's credentials: --http-auth and --http-user (or their variables), the password as the service's is got. */
async function httpAuthOf(flags: ConnectionFlags, reporter: Reporter, env: Environment, url: string): Promise<HttpAuthOptions | undefined> {
  const type = flags.httpAuth ?? fromEnvironment(env, 'SRV_ASMX_HTTP_AUTH', httpAuthType);
  if (type === undefined) {
    if (flags.httpUser !== undefined || flags.httpPassword !== undefined || flags.httpDomain !== undefined || flags.allowHttpBasic) {
      throw new UsageError('--http-user, --http-password, --http-domain and --allow-http-basic go with --http-auth basic|ntlm|negotiate');
    }
    return undefined;
  }
  if (type === 'basic' && /^http:/i.test(url) && !flags.allowHttpBasic) {
    throw new UsageError('--http-auth basic over plain http: would send the password readable by anyone on the way; use an https: URL, or add --allow-http-basic');
  }
  const user = required(flags.httpUser ?? setting(env, 'SRV_ASMX_HTTP_USER'), '--http-user <name> (or SRV_ASMX_HTTP_USER) for --http-auth');
  const domain = flags.httpDomain ?? setting(env, 'SRV_ASMX_HTTP_DOMAIN');
  const password = await secretOf(
    { flag: flags.httpPassword, option: '--http-password', variable: 'SRV_ASMX_HTTP_PASSWORD', question: 'HTTP password: ', missing: 'no HTTP password for --http-auth' },
    reporter,
    env,
  );
  return { type, user, password, ...(domain !== undefined && { domain }), ...(flags.allowHttpBasic && { allowHttp: true }) };
}

/** Header names whose values are credentials, which the process list should not show. */
const SECRET_HEADER = /auth|token|key|secret|password|cookie|session|ticket|credential/i;

/** SRV_ASMX_HEADERS (one `Name: value` a line), then each --header; a later one replaces an earlier one of the same name. */
function headersOf(flags: ConnectionFlags, reporter: Reporter, env: Environment): Record<string, string> | undefined {
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
  return Object.keys(headers).length > 0 ? headers : undefined;
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
  // A `ca` replaces Node's trust store: it is given back whole, with NODE_EXTRA_CA_CERTS, and the CA added.
  if (ca !== undefined) tls.ca = [...rootCertificates, ...(await extraCaCertificates(env)), await pemFile('--ca', ca)];
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

/** What NODE_EXTRA_CA_CERTS names, which Node trusts besides its own store. */
async function extraCaCertificates(env: Environment): Promise<Buffer[]> {
  const file = setting(env, 'NODE_EXTRA_CA_CERTS');
  return file === undefined ? [] : [await pemFile('NODE_EXTRA_CA_CERTS', file)];
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

type Binding = NonNullable<SessionOptions['binding']>;

/** --binding (or SRV_ASMX_BINDING) wins; a --soap that contradicts it is the client's error to report. */
function bindingOf(flags: ConnectionFlags, env: Environment): Pick<SessionOptions, 'binding' | 'soapVersion'> {
  const binding = flags.binding ?? fromEnvironment(env, 'SRV_ASMX_BINDING', bindingName);
  if (binding === undefined) return { soapVersion: flags.soap ?? fromEnvironment(env, 'SRV_ASMX_SOAP', soapVersion) ?? '1.1' };
  return { binding, ...(flags.soap !== undefined && { soapVersion: flags.soap }) };
}

function bindingName(value: string): Binding {
  if (!(BINDINGS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${BINDINGS.join(', ')}.`);
  return value as Binding;
}

function soapVersion(value: string): '1.1' | '1.2' {
  if (value !== '1.1' && value !== '1.2') throw new InvalidArgumentError('expected 1.1 or 1.2.');
  return value;
}

function httpAuthType(value: string): HttpAuthType {
  if (value !== 'basic' && value !== 'ntlm' && value !== 'negotiate') throw new InvalidArgumentError('expected basic, ntlm or negotiate.');
  return value;
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
