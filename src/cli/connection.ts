// The connection options every command shares, from flags or the environment, and the session
// they open. The password comes from SRV_ASMX_PASSWORD or a prompt that does not echo; --password
// works too, with a warning, since other users can read it in the process list.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { read } from 'read';
import { SrvSession, type SessionOptions, type SessionWarning, type TlsOptions } from '../index.js';
import { UsageError } from './exit-codes.js';
import type { Reporter } from './reporter.js';

export interface ConnectionFlags {
  url?: string;
  user?: string;
  password?: string;
  ticket?: string;
  soap?: '1.1' | '1.2';
  timeout?: number;
  insecure?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** The connection and output options of the commands that talk to a server. */
export function addConnectionOptions(command: Command): Command {
  return addOutputOptions(command)
    .option('--url <url>', 'the .../srv.asmx endpoint (env SRV_ASMX_URL)')
    .option('--user <name>', 'user name (env SRV_ASMX_USER)')
    .option('--password <password>', 'password; prefer env SRV_ASMX_PASSWORD or the prompt, this shows in the process list')
    .option('--ticket <ticket>', 'reuse a ticket instead of logging in (env SRV_ASMX_TICKET)')
    .addOption(soapOption())
    .option('--timeout <seconds>', 'time limit of each call, retries included (env SRV_ASMX_TIMEOUT)', positiveNumber)
    .option('--insecure', 'accept any TLS certificate (only for tests against a server you trust)')
    .option('--ca <file>', "trust this CA certificate (PEM) in addition to Node's and NODE_EXTRA_CA_CERTS (env SRV_ASMX_CA)")
    .option('--cert <file>', 'a client certificate (PEM), with --key (env SRV_ASMX_CERT)')
    .option('--key <file>', 'the private key of --cert (PEM) (env SRV_ASMX_KEY)');
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
  const options: SessionOptions = {
    url: required(flags.url ?? setting(env, 'SRV_ASMX_URL'), '--url <url> (or SRV_ASMX_URL)'),
    soapVersion: flags.soap ?? fromEnvironment(env, 'SRV_ASMX_SOAP', soapVersion) ?? '1.1',
    ...(timeout !== undefined && { timeoutMs: timeout * 1000 }),
    ...(await tlsOptions(flags, reporter, env)),
    onExchange: reporter.exchange,
    onWarning: (warning) => reportWarning(reporter, warning),
  };
  if (flags.ticket !== undefined) reporter.warn('--ticket shows in the process list; prefer SRV_ASMX_TICKET');
  const ticket = flags.ticket ?? setting(env, 'SRV_ASMX_TICKET');
  if (ticket !== undefined) return SrvSession.fromTicket({ ...options, ticket });
  const user = required(flags.user ?? setting(env, 'SRV_ASMX_USER'), '--user <name> (or SRV_ASMX_USER), or a ticket with --ticket');
  return SrvSession.login({ ...options, user, password: await passwordOf(flags, reporter, env), signal });
}

async function passwordOf(flags: ConnectionFlags, reporter: Reporter, env: Environment): Promise<string> {
  if (flags.password !== undefined) {
    reporter.warn('--password shows in the process list; prefer SRV_ASMX_PASSWORD or the prompt');
    return flags.password;
  }
  const fromEnv = setting(env, 'SRV_ASMX_PASSWORD');
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError('no password: set SRV_ASMX_PASSWORD (or run in a terminal to be asked for it)');
  return read({ prompt: 'Password: ', silent: true, replace: '', output: process.stderr });
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

function soapVersion(value: string): '1.1' | '1.2' {
  if (value !== '1.1' && value !== '1.2') throw new InvalidArgumentError('expected 1.1 or 1.2.');
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
