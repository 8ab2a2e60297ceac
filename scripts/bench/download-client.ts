// One download in a process of its own, for the download benches: wall time, RSS baseline and
// peak, and how many bytes an earlier run's kept ranges saved. It tells its parent once half the
// file is in (`{ half: true }`), so that the parent can kill it there.
import { SrvSession } from '../../src/session/session.js';

export interface DownloadSpec {
  url: string;
  path: string;
  copy: string;
  chunkSize: number;
  concurrency: number | 'auto';
  resume: boolean;
  /** Downloaded first, before the baseline is taken: a document of one chunk. */
  warmupPath?: string;
}

export interface DownloadReport {
  ms: number;
  bytes: number;
  resumedBytes: number;
  /** RSS once logged in; with a warm-up, once that has run too (V8's young generation has grown to its working size). */
  baselineRssKb: number;
  idleRssKb: number;
  peakRssKb: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as DownloadSpec;
const session = await SrvSession.login({ url: spec.url, user: 'demo', password: 'demo' });
const rssKb = () => Math.round(process.memoryUsage.rss() / 1024);
const idleRssKb = rssKb();
if (spec.warmupPath) await session.download(spec.warmupPath, `${spec.copy}.warmup`, { chunkSize: spec.chunkSize, overwrite: true });
const baselineRssKb = rssKb();
let peakRssKb = baselineRssKb;
const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, Math.round(process.memoryUsage.rss() / 1024))), 5);
let told = false;
const started = performance.now();
const result = await session.download(spec.path, spec.copy, {
  chunkSize: spec.chunkSize,
  concurrency: spec.concurrency,
  resume: spec.resume,
  overwrite: true,
  onProgress: ({ bytes, totalBytes }) => {
    if (!told && totalBytes !== undefined && bytes * 2 >= totalBytes) {
      told = true;
      process.send?.({ half: true });
    }
  },
});
const ms = performance.now() - started;
clearInterval(sampler);
await session.close();
const report: DownloadReport = { ms, bytes: result.bytes, resumedBytes: result.resumedBytes, baselineRssKb, idleRssKb, peakRssKb: Math.max(peakRssKb, Math.round(process.resourceUsage().maxRSS)) };
process.send?.({ report });
