// The parent's side of the emulator child process: start it, ask for its RSS and fault count, stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EmulatorChildOptions, EmulatorSample, FromEmulator, ToEmulator } from './messages.js';

const CHILD = fileURLToPath(new URL('./emulator-child.ts', import.meta.url));

export interface EmulatorProcess {
  readonly url: string;
  readonly pid: number;
  sample(): Promise<EmulatorSample>;
  stop(): Promise<void>;
}

function next<T extends FromEmulator['type']>(child: ChildProcess, type: T): Promise<Extract<FromEmulator, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromEmulator) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<FromEmulator, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`the emulator process exited (${code}) before answering "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startEmulatorProcess(options: EmulatorChildOptions): Promise<EmulatorProcess> {
  const child = fork(CHILD, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (message: ToEmulator) => void child.send(message);
  const { url } = await next(child, 'ready');
  // One request at a time, so answers cannot cross.
  let pending: Promise<EmulatorSample> = Promise.resolve({ rss: 0, faultsInjected: 0 });
  return {
    url,
    pid: child.pid ?? 0,
    sample: () => {
      pending = pending.then(() => {
        const answer = next(child, 'sample');
        ask({ type: 'sample' });
        return answer;
      });
      return pending;
    },
    stop: async () => {
      const exited = once(child, 'exit');
      ask({ type: 'stop' });
      await exited;
    },
  };
}
