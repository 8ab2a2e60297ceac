// npm run soak -- [--seconds 60] [--sessions 100] [--faults SPEC] [--seed N] [--max-size BYTES] [--chunk-size BYTES]
// Sessions upload and download against an emulator in a child process for a set time, each
// download checked byte for byte against its upload. Prints throughput, failed transfers by class,
// the RSS of client and emulator over time, corrupted documents and leaked handlers, writes them to
// bench-results/soak.json, and exits 1 on corruption, a leaked handler, untyped errors or RSS growth.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STATE_PATH, type EmulatorState } from '../src/emulator/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './soak/emulator-process.js';
import { formatSoak, problems, rssFigures, writeSoak, type Sample, type SoakFigures } from './soak/report.js';
import { runWorker, type Tally } from './soak/worker.js';

const RESULTS = fileURLToPath(new URL('../bench-results/soak.json', import.meta.url));
const USER = 'soak';
const PASSWORD = 'soak-password';
const SAMPLE_MS = 1_000;
const PROGRESS_EVERY = 10;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    sessions: { type: 'string', default: '100' },
    faults: { type: 'string', default: '' },
    seed: { type: 'string', default: '1' },
    'max-size': { type: 'string', default: String(2 * 1_048_576) },
    'chunk-size': { type: 'string', default: '262144' },
  },
});

function whole(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not ${String(values[name])}`);
  return value;
}

const seconds = whole('seconds');
const sessions = whole('sessions');

/** Samples both RSS figures every second until stopped. */
function sampler(emulator: EmulatorProcess, tally: Tally, started: number): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  const take = async () => {
    const { rss, faultsInjected } = await emulator.sample();
    const sample = { t: Math.round((Date.now() - started) / 1000), clientRss: process.memoryUsage().rss, emulatorRss: rss, faultsInjected, transfers: tally.transfers, bytes: tally.bytes };
    samples.push(sample);
    if (samples.length % PROGRESS_EVERY === 0) {
      process.stderr.write(`  ${sample.t}s: ${sample.transfers} transfers, client ${Math.round(sample.clientRss / 1_048_576)} MiB, emulator ${Math.round(sample.emulatorRss / 1_048_576)} MiB\n`);
    }
  };
  let last = take();
  const timer = setInterval(() => void (last = last.then(take)), SAMPLE_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await last;
      return samples;
    },
  };
}

async function leakedHandlers(url: string): Promise<number> {
  const state = (await (await fetch(new URL(STATE_PATH, url))).json()) as EmulatorState;
  return state.uploadHandlers.length + state.downloadHandlers.length;
}

const emulator = await startEmulatorProcess({ user: USER, password: PASSWORD, faults: values.faults, seed: whole('seed') });
process.stderr.write(`soak: ${sessions} sessions for ${seconds} s against ${emulator.url}${values.faults ? ` with faults ${values.faults}` : ''}\n`);
try {
  const tally: Tally = { transfers: 0, bytes: 0, retries: 0, restarts: 0, corrupted: 0, errors: new Map() };
  const started = Date.now();
  const samples = sampler(emulator, tally, started);
  const login = { url: emulator.url, user: USER, password: PASSWORD, retry: { retries: 5, minDelayMs: 10, maxDelayMs: 200 } };
  const workers = Array.from({ length: sessions }, (_, index) =>
    runWorker({ login, index, deadline: started + seconds * 1000, maxSize: whole('max-size'), chunkSize: whole('chunk-size'), tally }),
  );
  const outcomes = await Promise.allSettled(workers);
  const elapsed = (Date.now() - started) / 1000;
  const series = await samples.stop();
  for (const outcome of outcomes) if (outcome.status === 'rejected') tally.errors.set('session', (tally.errors.get('session') ?? 0) + 1);
  const figures: SoakFigures = {
    sessions,
    seconds,
    faults: values.faults,
    transfers: tally.transfers,
    megabytes: Math.round(tally.bytes / 1e5) / 10,
    mbPerSecond: Math.round(tally.bytes / 1e5 / elapsed) / 10,
    transfersPerSecond: Math.round((tally.transfers / elapsed) * 10) / 10,
    faultsInjected: (await emulator.sample()).faultsInjected,
    retries: tally.retries,
    restarts: tally.restarts,
    errors: Object.fromEntries(tally.errors),
    corruptedDocuments: tally.corrupted,
    leakedHandlers: await leakedHandlers(emulator.url),
    clientRss: rssFigures(series.map((sample) => sample.clientRss)),
    emulatorRss: rssFigures(series.map((sample) => sample.emulatorRss)),
    samples: series,
  };
  console.log(formatSoak(figures));
  await writeSoak(RESULTS, figures);
  const failed = problems(figures);
  if (failed.length > 0) {
    console.error(`soak failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await emulator.stop();
}
