// Where the command line's output goes: human text and progress on stderr, the result on stdout
// (one JSON document with --json, and nothing else there). A progress bar on a terminal, a plain
// line every few seconds otherwise, nothing with --json.
import cliProgress from 'cli-progress';
import type { ExchangeListener, ExchangeRecord } from '../index.js';
import { bytes, rate } from './format.js';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

export interface Reporter {
  readonly json: boolean;
  /** A line for people (stderr); silent with --json. */
  info(line: string): void;
  /** A problem worth telling even with --json (stderr). */
  warn(line: string): void;
  /** What the tool is doing about a problem, e.g. a retry: on stderr, even with --json. */
  notice(line: string): void;
  /** Only with --verbose. */
  debug(line: string): void;
  /** Only with --verbose: without it there is no listener, and the client builds no exchange records. */
  readonly exchange: ExchangeListener | undefined;
  progress(label: string, total: number | undefined): Progress;
  /** The command's result: JSON on stdout with --json, else the human line on stdout. */
  result(human: string, data: Record<string, unknown>): void;
}

export interface ReporterOptions {
  json: boolean;
  verbose: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
}

const PLAIN_INTERVAL_MS = 2_000;

export function createReporter(options: ReporterOptions): Reporter {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const line = (text: string) => void stderr.write(`${text}\n`);
  const isTerminal = 'isTTY' in stderr && stderr.isTTY === true;
  return {
    json: options.json,
    info: (text) => options.json || line(text),
    warn: (text) => line(`warning: ${text}`),
    notice: (text) => line(text),
    debug: (text) => options.verbose && line(text),
    exchange: options.verbose ? (record) => line(describeExchange(record)) : undefined,
    progress: (label, total) => {
      if (options.json) return { update: () => undefined, stop: () => undefined };
      return isTerminal && total !== undefined ? progressBar(label, total, stderr) : plainProgress(label, total, line);
    },
    result: (human, data) => void stdout.write(options.json ? `${JSON.stringify(data)}\n` : `${human}\n`),
  };
}

function progressBar(label: string, total: number, stream: NodeJS.WritableStream): Progress {
  const started = performance.now();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {done} of {size} | {speed} | ETA {eta_formatted}`,
      stream: stream as NodeJS.WriteStream,
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (done: number) => ({ done: bytes(done), size: bytes(total), speed: rate(done, performance.now() - started) });
  bar.start(Math.max(total, 1), 0, payload(0));
  return {
    update: (done) => bar.update(Math.min(done, Math.max(total, 1)), payload(done)),
    stop: () => bar.stop(),
  };
}

function plainProgress(label: string, total: number | undefined, line: (text: string) => void): Progress {
  const started = performance.now();
  let lastLine = started;
  let latest = 0;
  const say = () => {
    const share = total ? ` (${Math.floor((latest / total) * 100)}%)` : '';
    line(`${label}: ${bytes(latest)}${total === undefined ? '' : ` of ${bytes(total)}`}${share}, ${rate(latest, performance.now() - started)}`);
  };
  return {
    update: (done) => {
      latest = done;
      const now = performance.now();
      if (now - lastLine < PLAIN_INTERVAL_MS) return;
      lastLine = now;
      say();
    },
    stop: () => say(),
  };
}

function describeExchange(record: ExchangeRecord): string {
  const head = `→ ${record.operation} (SOAP ${record.soapVersion}) POST ${record.url}`;
  const requestHeaders = Object.entries(record.request.headers).map(([k, v]) => `  ${k}: ${v}`).join('\n');
  const reply = record.response
    ? `← HTTP ${record.response.status} in ${record.durationMs} ms\n  ${record.response.body}`
    : `← no reply after ${record.durationMs} ms: ${record.error ?? 'unknown error'}`;
  return `${head}\n${requestHeaders}\n  ${record.request.body}\n${reply}`;
}
