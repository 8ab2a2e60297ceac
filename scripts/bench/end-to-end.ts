// Upload then download of a large file against the emulator, each in its own process: the
// emulator via the command line's `serve`, the client in e2e-client.ts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndToEndReport, EndToEndSpec } from './e2e-client.js';
import { ROOT, startServer } from './processes.js';

export interface EndToEndResult extends EndToEndReport {
  fileBytes: number;
  chunkSize: number;
}

export async function benchmarkEndToEnd(fileBytes: number, chunkSizes: readonly number[], log: (line: string) => void): Promise<EndToEndResult[]> {
  const directory = await mkdtemp(join(tmpdir(), 'srv-asmx-bench-'));
  try {
    const file = join(directory, 'source.bin');
    log(`end to end: writing a ${fileBytes / 2 ** 20} MiB file`);
    await writeRandomFile(file, fileBytes);
    const results: EndToEndResult[] = [];
    for (const chunkSize of chunkSizes) {
      log(`end to end: ${chunkSize / 2 ** 20} MiB chunks`);
      results.push({ fileBytes, chunkSize, ...(await roundTrip(file, join(directory, `copy-${chunkSize}.bin`), chunkSize)) });
      await rm(join(directory, `copy-${chunkSize}.bin`), { force: true });
    }
    return results;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function roundTrip(file: string, copy: string, chunkSize: number): Promise<EndToEndReport> {
  // The emulator's FILEUPLOADLIMIT defaults to the documented 1023 MiB; the 1 GiB file goes up whole.
  const emulator = await startServer('src/cli/main.ts', ['serve', '--max-body', String(2 * chunkSize + (1 << 20)), '--upload-limit', String(1 << 30)]);
  try {
    const spec: EndToEndSpec = { url: emulator.url, file, copy, chunkSize };
    const client = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/e2e-client.ts', JSON.stringify(spec)], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: EndToEndReport | undefined;
    client.on('message', (message: EndToEndReport) => (result = message));
    const [code] = (await once(client, 'exit')) as [number | null];
    if (code !== 0 || !result) throw new Error(`the end-to-end client exited with code ${code}`);
    if (result.upload.crc32 !== result.download.crc32) throw new Error('the downloaded copy differs from the uploaded file');
    return result;
  } finally {
    await emulator.stop();
  }
}

export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const piece = randomBytes(Math.min(8 << 20, bytes - written));
      await file.write(piece);
      written += piece.length;
    }
  } finally {
    await file.close();
  }
}
