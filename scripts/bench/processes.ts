// Child processes of the benchmark: servers that print their URL, and workers spoken to over IPC.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ParentMessage, RunSample, WorkerMessage, WorkerSpec } from './protocol.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Every child runs TypeScript from the source tree, as `npm run bench` does. */
const NODE_ARGS = ['--import', 'tsx'];

export interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a server script (relative to the repository) and waits for the URL on its first line. */
export async function startServer(script: string, args: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [url] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error(`${script} exited before printing its URL`); })])) as [string];
  return { url: url.trim(), stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** A worker process running one variant; see worker.ts. */
export class Worker {
  readonly baselineRssKb: Promise<number>;
  readonly #child: ChildProcess;
  readonly #inbox: WorkerMessage[] = [];
  readonly #waiting: Array<(message: WorkerMessage) => void> = [];

  constructor(readonly spec: WorkerSpec, script = 'scripts/bench/worker.ts') {
    this.#child = spawn(process.execPath, [...NODE_ARGS, script, JSON.stringify(spec)], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (message: WorkerMessage) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#inbox.push(message);
    });
    this.#child.on('exit', (code) => {
      for (const waiter of this.#waiting.splice(0)) waiter({ type: 'failed', error: `worker exited with code ${code}` });
    });
    this.baselineRssKb = this.next().then((message) => {
      if (message.type !== 'ready') throw new Error(`${describe(spec)}: ${message.type === 'failed' ? message.error : message.type}`);
      return message.baselineRssKb;
    });
  }

  async run(): Promise<RunSample> {
    const message = await this.ask({ type: 'run' });
    if (message.type !== 'sample') throw new Error(`${describe(this.spec)}: ${message.type === 'failed' ? message.error : message.type}`);
    return message.sample;
  }

  /** Ends the worker and returns its peak RSS in KiB. */
  async stop(): Promise<number> {
    const message = await this.ask({ type: 'stop' });
    await stop(this.#child);
    if (message.type !== 'stopped') throw new Error(`${describe(this.spec)}: no peak RSS`);
    return message.peakRssKb;
  }

  /** Ends the worker whatever state it is in. */
  kill(): Promise<void> {
    return stop(this.#child);
  }

  private ask(message: ParentMessage): Promise<WorkerMessage> {
    const reply = this.next();
    this.#child.send(message);
    return reply;
  }

  private next(): Promise<WorkerMessage> {
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}

function describe(spec: WorkerSpec): string {
  return `${spec.variant} ${spec.direction} (${spec.chunkSize} byte chunks)`;
}
