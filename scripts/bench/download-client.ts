// One download in a process of its own, for the download benches: wall time, RSS baseline and
// peak, and how many bytes an earlier run's kept ranges saved. It tells its parent once half the
// file is in (`{ half: true }`), so that the parent can kill it there.
import { SrvSession } from '../../src/session/session.js';

export interface DownloadSpec {
  url: string;
  path: string;
  copy: string;
  chunkSize: number;
  concurrency: number;
  resume: boolean;
}

export interface DownloadReport {
  ms: number;
  bytes: number;
  resumedBytes: number;
  baselineRssKb: number;
  peakRssKb: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as DownloadSpec;
const session = await SrvSession.login({ url: spec.url, user: 'demo', password: 'demo' });
const baselineRssKb = Math.round(process.memoryUsage.rss() / 1024);
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
const report: DownloadReport = { ms, bytes: result.bytes, resumedBytes: result.resumedBytes, baselineRssKb, peakRssKb: Math.max(peakRssKb, Math.round(process.resourceUsage().maxRSS)) };
process.send?.({ report });
