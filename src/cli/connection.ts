// The connection options every command shares, from flags or the environment, and the session
// they open. The password comes from SRV_ASMX_PASSWORD or a prompt that does not echo; --password
// works too, with a warning, since other users can read it in the process list.
import { readFile } from 'node:fs/promises';
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
  soap: '1.1' | '1.2';
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
    .option('--timeout <seconds>', 'time limit of each call', positiveNumber)
    .option('--insecure', 'accept any TLS certificate (only for tests against a server you trust)')
    .option('--ca <file>', 'trust this CA certificate (PEM) in addition to the system ones')
    .option('--cert <file>', 'a client certificate (PEM), with --key')
    .option('--key <file>', 'the private key of --cert (PEM)');
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON result on stdout and nothing else there')
    .option('--verbose', 'log each SOAP exchange on stderr, with passwords, tickets and base64 bodies redacted');
}

export function soapOption(): Option {
  return new Option('--soap <version>', 'SOAP version, 1.1 or 1.2').argParser(soapVersion).default('1.1');
}

export interface Environment {
  [name: string]: string | undefined;
}

export async function openSession(flags: ConnectionFlags, reporter: Reporter, signal: AbortSignal, env: Environment = process.env): Promise<SrvSession> {
  const options: SessionOptions = {
    url: required(flags.url ?? setting(env, 'SRV_ASMX_URL'), '--url <url> (or SRV_ASMX_URL)'),
    soapVersion: flags.soap,
    ...(flags.timeout !== undefined && { timeoutMs: flags.timeout * 1000 }),
    ...(await tlsOptions(flags, reporter)),
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

async function tlsOptions(flags: ConnectionFlags, reporter: Reporter): Promise<{ tls?: TlsOptions }> {
  const tls: TlsOptions = {};
  if (flags.ca !== undefined) tls.ca = await pemFile('--ca', flags.ca);
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UsageError('--cert and --key go together');
  if (flags.cert !== undefined && flags.key !== undefined) {
    tls.cert = await pemFile('--cert', flags.cert);
    tls.key = await pemFile('--key', flags.key);
  }
  if (flags.insecure) {
    reporter.warn('--insecure: TLS certificates are not checked');
    tls.rejectUnauthorized = false;
  }
  return Object.keys(tls).length > 0 ? { tls } : {};
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
