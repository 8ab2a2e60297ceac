// The client side of the end-to-end run, in a process of its own: log in to the emulator, upload a
// file, download it back, and report wall times and RSS (baseline after login, then the peak of
// each half of each transfer, so that growth with the file's size would show).
import { SrvSession } from '../../src/session/session.js';

export interface EndToEndSpec {
  url: string;
  file: string;
  copy: string;
  chunkSize: number;
}

export interface PhaseReport {
  ms: number;
  crc32: string;
  /** Peak RSS (KiB) while the first half, and the second half, of the bytes moved. */
  firstHalfPeakKb: number;
  secondHalfPeakKb: number;
}

export interface EndToEndReport {
  baselineRssKb: number;
  upload: PhaseReport;
  download: PhaseReport;
  maxRssKb: number;
}

/** Samples RSS often enough to see each chunk's peak; `half` says which half of the transfer it is in. */
class RssSampler {
  peaks = [0, 0];
  half = 0;
  readonly #timer = setInterval(() => this.sample(), 5);

  sample(): void {
    this.peaks[this.half] = Math.max(this.peaks[this.half] as number, Math.round(process.memoryUsage.rss() / 1024));
  }

  stop(): [number, number] {
    clearInterval(this.#timer);
    this.sample();
    return [this.peaks[0] as number, this.peaks[1] as number];
  }
}

async function phase(work: (onProgress: (done: number, total: number | undefined) => void) => Promise<{ crc32: string }>): Promise<PhaseReport> {
  const sampler = new RssSampler();
  const started = performance.now();
  const { crc32 } = await work((done, total) => {
    sampler.sample();
    if (total !== undefined && done * 2 >= total) sampler.half = 1;
  });
  const ms = performance.now() - started;
  const [firstHalfPeakKb, secondHalfPeakKb] = sampler.stop();
  return { ms, crc32, firstHalfPeakKb, secondHalfPeakKb };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as EndToEndSpec;
const session = await SrvSession.login({ url: spec.url, user: 'demo', password: 'demo' });
const baselineRssKb = Math.round(process.memoryUsage.rss() / 1024);
const path = '/Public/bench-e2e.bin';
const upload = await phase((onProgress) =>
  session.upload(spec.file, path, { chunkSize: spec.chunkSize, onProgress: (p) => onProgress(p.bytes, p.totalBytes) }),
);
const download = await phase((onProgress) =>
  session.download(path, spec.copy, { chunkSize: spec.chunkSize, onProgress: (p) => onProgress(p.bytes, p.totalBytes) }),
);
await session.close();
const result: EndToEndReport = { baselineRssKb, upload, download, maxRssKb: process.resourceUsage().maxRSS };
process.send?.(result);
