// Where the command line's output goes: human text and progress on stderr, the result on stdout
// (one JSON document with --json, and nothing else there). A progress bar on a terminal, a plain
// line every few seconds otherwise, nothing with --json, --quiet or --no-progress. --quiet leaves
// warnings, errors and the result.
import type { SingleBar } from 'cli-progress';
import type { ExchangeListener, ExchangeRecord } from '../index.js';
import { bytes, rate } from './format.js';
import { stderr, stdout } from './output.js';

export interface Progress {
  /** `done` with the current handler; after a restart it starts again, but what is shown never goes back. */
  update(done: number, restarts?: number): void;
  stop(): void;
}

export interface Reporter {
  readonly json: boolean;
  /** A line for people (stderr); silent with --json or --quiet. */
  info(line: string): void;
  /** A problem worth telling even with --json or --quiet (stderr). */
  warn(line: string): void;
  /** What the tool is doing about a problem, e.g. a retry: on stderr, even with --json; silent with --quiet. */
  notice(line: string): void;
  /** Only with --verbose. */
  debug(line: string): void;
  /** Only with --verbose: without it there is no listener, and the client builds no exchange records. */
  readonly exchange: ExchangeListener | undefined;
  progress(label: string, total: number | undefined): Progress;
  /** The command's result: JSON on stdout with --json, else the human line on stdout. */
  result(human: string, data: Record<string, unknown>): void;
  /** The result on stderr, where stdout carries the document itself; even with --quiet. */
  resultAside(human: string, data: Record<string, unknown>): void;
}

export interface ReporterOptions {
  json: boolean;
  verbose: boolean;
  /** --quiet: no progress, no informational lines, no notices; warnings, errors and the result still. */
  quiet: boolean;
  /** false with --no-progress (or --quiet). */
  progress: boolean;
}

const PLAIN_INTERVAL_MS = 2_000;

export function createReporter(options: ReporterOptions): Reporter {
  const isTerminal = stderr.stream.isTTY === true;
  let barShown = false;
  // A line written while a bar is shown replaces the bar's line; the bar draws itself again below it.
  const line = (text: string) => void stderr.write(`${barShown ? '\r\x1b[2K' : ''}${text}\n`);
  return {
    json: options.json,
    info: (text) => options.json || options.quiet || line(text),
    warn: (text) => line(`warning: ${text}`),
    notice: (text) => options.quiet || line(text),
    debug: (text) => options.verbose && line(text),
    exchange: options.verbose ? (record) => line(describeExchange(record)) : undefined,
    progress: (label, total) => {
      if (options.json || options.quiet || !options.progress) return { update: () => undefined, stop: () => undefined };
      if (!isTerminal || total === undefined) return plainProgress(label, total, line);
      barShown = true;
      const bar = progressBar(label, total, stderr.stream);
      return { update: bar.update, stop: () => ((barShown = false), bar.stop()) };
    },
    result: (human, data) => void stdout.write(options.json ? `${JSON.stringify(data)}\n` : `${human}\n`),
    resultAside: (human, data) => line(options.json ? JSON.stringify(data) : human),
  };
}

/** Everything on the bar's line but the bar itself: label, percentage, sizes, rate, ETA, a restart count. */
const BAR_TEXT_WIDTH = 68;

function progressBar(label: string, total: number, stream: NodeJS.WriteStream): Progress {
  const started = performance.now();
  const barsize = Math.max(8, (stream.columns ?? 80) - BAR_TEXT_WIDTH - label.length);
  let shown = 0;
  let restartCount = 0;
  let stopped = false;
  let bar: SingleBar | undefined;
  const payload = () => ({ done: bytes(shown), size: bytes(total), speed: rate(shown, performance.now() - started), restarts: restartCount > 0 ? ` (restart ${restartCount})` : '' });
  // cli-progress is loaded by the first bar, since most runs (pipes, --json) never draw one. The
  // bar starts where the work is by then.
  void import('cli-progress').then(({ default: cliProgress }) => {
    if (stopped) return;
    bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% {done}/{size} {speed} ETA {eta_formatted}{restarts}`,
        stream,
        barsize,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), shown, payload());
  });
  return {
    update: (done, restarts = 0) => {
      shown = Math.max(shown, Math.min(done, total));
      restartCount = restarts;
      bar?.update(shown, payload());
    },
    stop: () => {
      stopped = true;
      bar?.stop();
    },
  };
}

function plainProgress(label: string, total: number | undefined, line: (text: string) => void): Progress {
  const started = performance.now();
  let lastLine = started;
  let latest = 0;
  let restartCount = 0;
  const say = () => {
    const share = total ? ` (${Math.floor((latest / total) * 100)}%)` : '';
    const restarts = restartCount > 0 ? `, restart ${restartCount}` : '';
    line(`${label}: ${bytes(latest)}${total === undefined ? '' : ` of ${bytes(total)}`}${share}, ${rate(latest, performance.now() - started)}${restarts}`);
  };
  return {
    update: (done, restarts = 0) => {
      latest = Math.max(latest, done);
      restartCount = restarts;
      const now = performance.now();
      if (now - lastLine < PLAIN_INTERVAL_MS) return;
      lastLine = now;
      say();
    },
    stop: () => say(),
  };
}

/** How each binding is named in an exchange's first line. */
const BINDING_LABELS: Readonly<Record<ExchangeRecord['binding'], string>> = {
  soap11: 'SOAP 1.1',
  soap12: 'SOAP 1.2',
  'http-post': 'HTTP POST binding',
  'http-get': 'HTTP GET binding',
};

function describeExchange(record: ExchangeRecord): string {
  const attempt = record.attempt > 1 ? `, attempt ${record.attempt}` : '';
  const head = `→ ${record.operation} (${BINDING_LABELS[record.binding]}${attempt}) ${record.method} ${record.url}`;
  const requestHeaders = Object.entries(record.request.headers).map(([k, v]) => `  ${k}: ${v}`).join('\n');
  const reply = record.response
    ? `← HTTP ${record.response.status} in ${record.durationMs} ms\n  ${record.response.body}`
    : `← no reply after ${record.durationMs} ms: ${record.error ?? 'unknown error'}`;
  return `${head}\n${requestHeaders}\n  ${record.request.body}\n${reply}`;
}
