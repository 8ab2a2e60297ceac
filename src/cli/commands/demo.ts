// The main job: a round trip through an emulator started for the occasion, with a couple of
// injected faults to show them being survived, verified byte for byte.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { InjectedFault, RunningEmulator } from '../../emulator/index.js';
import { ChecksumMismatchError, DEFAULT_CHUNK_SIZE, fileCrc32, SrvSession, TRANSFER_OPTIONS, type SoapVersion, type TransferStats } from '../../index.js';
import { wholeNumber } from '../arguments.js';
import { bytes, rate, seconds } from '../format.js';
import { addOutputOptions, soapOption } from '../connection.js';
import { helpOf } from '../option-help.js';
import { runCommand, type CommandContext } from '../run.js';

const DEFAULT_FAULTS = 'UploadFileChunk@3:dropReply,DownloadFileChunk@2:corrupt';

interface DemoFlags {
  size: number;
  chunkSize?: number;
  faults: string | false;
  soap?: SoapVersion;
}

export function registerDemo(program: Command): void {
  addOutputOptions(program.command('demo'))
    .addOption(soapOption())
    .description('start an emulator, upload a generated file, download it back and verify it (the main job, `npm start`)')
    .option('--size <MiB>', 'size of the generated file', wholeNumber, 32)
    .option('--chunk-size <bytes>', helpOf('chunk size to ask for', TRANSFER_OPTIONS.chunkSize), wholeNumber)
    .option('--faults <spec>', 'faults for the emulator to inject (see serve --help)', DEFAULT_FAULTS)
    .option('--no-faults', 'inject no faults')
    .addHelpText('after', `
Examples:
  $ srv-asmx demo
  $ srv-asmx demo --size 256 --chunk-size 8388608 --no-faults --json`)
    .action((flags: DemoFlags, command: Command) => runCommand(command, (context) => demo(context, flags)));
}

async function demo(context: CommandContext, flags: DemoFlags): Promise<void> {
  // The emulator is loaded here: no other command needs it.
  const { parseFaultSpec, startEmulator } = await import('../../emulator/index.js');
  const emulator = await startEmulator({ faults: flags.faults === false ? [] : parseFaultSpec(flags.faults) });
  const dir = await mkdtemp(join(tmpdir(), 'srv-asmx-demo-'));
  try {
    await run(context, emulator, dir, flags);
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(context: CommandContext, emulator: RunningEmulator, dir: string, flags: DemoFlags): Promise<void> {
  const { reporter, signal } = context;
  const source = join(dir, 'demo.bin');
  const copy = join(dir, 'demo-copy.bin');
  const size = flags.size * 1024 * 1024;
  const chunkSize = flags.chunkSize ?? DEFAULT_CHUNK_SIZE;
  await writeFile(source, randomBytes(size));
  reporter.info(`emulator at ${emulator.url}; ${bytes(size)} of random data in ${source}`);
  const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', ...(flags.soap !== undefined && { soapVersion: flags.soap }) });
  const { soapVersion } = session.client;
  try {
    await session.ensureFolder('/Public/demo');
    const upProgress = reporter.progress('upload  ', size);
    const up = await session.upload(source, '/Public/demo/demo.bin', { chunkSize, signal, onProgress: (p) => upProgress.update(p.bytes, p.restarts) }).finally(() => upProgress.stop());
    const downProgress = reporter.progress('download', size);
    const down = await session.download('/Public/demo/demo.bin', copy, { chunkSize, signal, onProgress: (p) => downProgress.update(p.bytes, p.restarts) }).finally(() => downProgress.stop());
    const sourceCrc = await fileCrc32(source);
    if (!(await sameBytes(source, copy)) || up.crc32 !== sourceCrc || down.crc32 !== sourceCrc) {
      throw new ChecksumMismatchError('demo: the downloaded file differs from the source', sourceCrc, down.crc32);
    }
    const faults = emulator.faults.injected();
    reporter.result(summary(emulator.url, { soapVersion, chunkSize }, size, up, down, faults, sourceCrc), {
      ok: true,
      command: 'demo',
      url: emulator.url,
      soapVersion,
      bytes: size,
      crc32: sourceCrc,
      upload: up,
      download: down,
      faultsInjected: faults,
      verified: true,
    });
  } finally {
    await session.close();
  }
}

function summary(url: string, asked: { soapVersion: SoapVersion; chunkSize: number }, size: number, up: TransferStats, down: TransferStats, faults: InjectedFault[], crc: string): string {
  const row = (label: string, t: TransferStats) =>
    `  ${label}  ${bytes(t.bytes)} in ${seconds(t.elapsedMs)}  ${rate(t.bytes, t.elapsedMs)}  CRC32 ${t.crc32}  ${t.chunks} chunks, ${t.retries} retries, ${t.restarts} restarts`;
  const injected = faults.length === 0 ? 'none' : faults.map((f) => `${f.kind} at ${f.op} call ${f.call}`).join(', ');
  return [
    `demo: ${bytes(size)} through the emulator at ${url} (SOAP ${asked.soapVersion}, ${bytes(asked.chunkSize)} chunks asked for)`,
    row('upload  ', up),
    row('download', down),
    `  faults injected: ${injected}`,
    `  verified: the downloaded file is byte for byte the source (CRC32 ${crc})`,
  ].join('\n');
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([open(a), open(b)]);
  try {
    const [leftSize, rightSize] = await Promise.all([left.stat(), right.stat()]).then((s) => s.map((x) => x.size));
    if (leftSize !== rightSize) return false;
    const [leftBlock, rightBlock] = [Buffer.alloc(1 << 20), Buffer.alloc(1 << 20)];
    for (let position = 0; position < (leftSize as number); position += leftBlock.length) {
      const [l, r] = await Promise.all([left.read(leftBlock, 0, leftBlock.length, position), right.read(rightBlock, 0, rightBlock.length, position)]);
      if (!leftBlock.subarray(0, l.bytesRead).equals(rightBlock.subarray(0, r.bytesRead))) return false;
    }
    return true;
  } finally {
    await Promise.all([left.close(), right.close()]);
  }
}
