// One variant in one direction, in a process of its own so that its peak RSS is its own. The parent
// sends `run` and `stop`; the worker answers with a sample per run and its peak RSS at the end.
import { randomBytes } from 'node:crypto';
import { prepareFloor } from './floor.js';
import { prepareLibrary } from './library.js';
import { prepareNodeSoap } from './node-soap.js';
import type { ParentMessage, RunSample, WorkerMessage, WorkerSpec } from './protocol.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function prepare(): Promise<() => Promise<void>> {
  const source = spec.direction === 'upload' ? randomBytes(spec.bytesPerRun) : Buffer.alloc(0);
  switch (spec.variant) {
    case 'library':
      return prepareLibrary(spec, source);
    case 'node-soap':
      return prepareNodeSoap(spec, source);
    case 'floor':
      return prepareFloor(spec, source);
  }
}

async function measure(run: () => Promise<void>): Promise<RunSample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs };
}

try {
  const run = await prepare();
  const baselineRssKb = Math.round(process.memoryUsage().rss / 1024);
  await run();
  send({ type: 'ready', baselineRssKb });
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') {
      send({ type: 'stopped', peakRssKb: process.resourceUsage().maxRSS });
      process.disconnect();
      return;
    }
    measure(run).then(
      (sample) => send({ type: 'sample', sample }),
      (error: unknown) => send({ type: 'failed', error: String(error) }),
    );
  });
} catch (error) {
  send({ type: 'failed', error: String(error) });
  process.disconnect();
}
